/**
 * The worklist's context menu (right-click on a study, the context-menu key or Shift+F10): open,
 * de-identify & export the chosen studies, show every study of the patient, copy the study's UID,
 * patient ID or accession number, select all, delete the study or the patient from the workstation. Arrow keys move, Enter chooses, Esc closes.
 */
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StudySummary } from '../../../shared/contract.js';
import { useCacheStore } from '../stores/useCacheStore.js';
import { useWorklistStore } from '../stores/useWorklistStore.js';

export interface MenuPlace {
  x: number;
  y: number;
  study: StudySummary;
}

interface StudyContextMenuProps {
  place: MenuPlace;
  onClose(): void;
  onOpen(study: StudySummary): void;
  onExport(): void;
  onCopied(text: string | null): void;
}

type Action = { id: string; label: string; disabled?: boolean; run(): void };

export function StudyContextMenu({ place, onClose, onOpen, onExport, onCopied }: StudyContextMenuProps) {
  const { t } = useTranslation();
  const selection = useWorklistStore((state) => state.selection);
  const ref = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState({ left: place.x, top: place.y });
  const { study } = place;

  const copy = (value: string) => {
    navigator.clipboard.writeText(value).then(
      () => onCopied(value),
      () => onCopied(null),
    );
  };

  const actions: Action[] = [
    { id: 'open', label: t('worklist.menu.open'), run: () => onOpen(study) },
    {
      id: 'export',
      label: t('worklist.menu.exportSelected', { count: Math.max(1, selection.length) }),
      run: onExport,
    },
    {
      id: 'patient-studies',
      label: t('worklist.menu.patientStudies'),
      disabled: !study.patientId,
      run: () => useWorklistStore.getState().searchFor(study.patientId),
    },
    { id: 'copy-study-uid', label: t('worklist.menu.copyStudyUid'), run: () => copy(study.studyInstanceUID) },
    {
      id: 'copy-patient-id',
      label: t('worklist.menu.copyPatientId'),
      disabled: !study.patientId,
      run: () => copy(study.patientId),
    },
    {
      id: 'copy-accession',
      label: t('worklist.menu.copyAccession'),
      disabled: !study.accessionNumber,
      run: () => copy(study.accessionNumber),
    },
    {
      id: 'select-all',
      label: t('worklist.menu.selectAll'),
      run: () => useWorklistStore.getState().selectAll(),
    },
    {
      id: 'delete-study',
      label: t('worklist.menu.deleteStudy'),
      run: () => useCacheStore.getState().askDelete({ kind: 'study', study }),
    },
    {
      id: 'delete-patient',
      label: t('worklist.menu.deletePatient'),
      disabled: !study.patientId,
      run: () => useCacheStore.getState().askDelete({ kind: 'patient', study }),
    },
  ];

  // Inside the window, whatever the click's place; the first item takes the focus.
  useLayoutEffect(() => {
    const menu = ref.current;
    if (!menu) return;
    const { width, height } = menu.getBoundingClientRect();
    setPosition({
      left: Math.max(4, Math.min(place.x, window.innerWidth - width - 4)),
      top: Math.max(4, Math.min(place.y, window.innerHeight - height - 4)),
    });
    menu.querySelector<HTMLButtonElement>('[role="menuitem"]:not(:disabled)')?.focus();
  }, [place]);

  useEffect(() => {
    const away = (event: MouseEvent) => {
      if (!ref.current?.contains(event.target as Node)) onClose();
    };
    const blur = () => onClose();
    window.addEventListener('mousedown', away, true);
    window.addEventListener('blur', blur);
    window.addEventListener('resize', blur);
    return () => {
      window.removeEventListener('mousedown', away, true);
      window.removeEventListener('blur', blur);
      window.removeEventListener('resize', blur);
    };
  }, [onClose]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [
      ...(ref.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)') ?? []),
    ];
    const current = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      items[(current + step + items.length) % items.length]?.focus();
    } else if (event.key === 'Home') items[0]?.focus();
    else if (event.key === 'End') items.at(-1)?.focus();
    else if (event.key === 'Escape' || event.key === 'Tab') onClose();
    else return;
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div
      ref={ref}
      className="study-menu"
      role="menu"
      aria-label={t('worklist.menuLabel')}
      data-testid="study-menu"
      style={position}
      onKeyDown={onKeyDown}
      onContextMenu={(event) => event.preventDefault()}
    >
      {actions.map((action) => (
        <button
          key={action.id}
          type="button"
          role="menuitem"
          className="study-menu__item"
          data-testid={`study-menu-${action.id}`}
          disabled={action.disabled}
          onClick={() => {
            onClose();
            action.run();
          }}
        >
          {action.label}
        </button>
      ))}
    </div>
  );
}
