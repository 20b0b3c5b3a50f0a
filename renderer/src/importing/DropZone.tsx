/**
 * Files or folders dropped anywhere on the window are imported. In a browser, folders are walked
 * with the File System entries API (their files are uploaded); in Electron, main gets the paths.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { host } from '../host/index.js';
import { useImportStore } from '../stores/useImportStore.js';

async function filesOfEntry(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) {
    return new Promise((resolve, reject) =>
      (entry as FileSystemFileEntry).file((file) => resolve([file]), reject),
    );
  }
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries returns at most ~100 entries per call; keep reading until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map(filesOfEntry));
  return nested.flat();
}

async function droppedFiles(transfer: DataTransfer): Promise<File[]> {
  // Electron resolves every dropped item, folders included, to its path; main walks folders itself.
  if (host.kind === 'electron') return Array.from(transfer.files);
  const entries = Array.from(transfer.items)
    .map((item) => item.webkitGetAsEntry())
    .filter((entry): entry is FileSystemEntry => entry !== null);
  if (entries.length === 0) return Array.from(transfer.files);
  // A dropped plain file keeps its File object (and with it Electron's path); folders are walked.
  if (entries.every((entry) => entry.isFile)) return Array.from(transfer.files);
  const nested = await Promise.all(entries.map(filesOfEntry));
  return nested.flat();
}

export function DropZone() {
  const { t } = useTranslation();
  const importFiles = useImportStore((state) => state.importFiles);
  const [over, setOver] = useState(false);

  useEffect(() => {
    let depth = 0;
    const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth += 1;
      setOver(true);
    };
    const onLeave = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const onOver = (event: DragEvent) => {
      if (hasFiles(event)) event.preventDefault();
    };
    const onDrop = (event: DragEvent) => {
      if (!event.dataTransfer || !hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      setOver(false);
      void droppedFiles(event.dataTransfer).then(importFiles);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
    };
  }, [importFiles]);

  return over ? (
    <div className="drop-zone" data-testid="drop-zone">
      <div className="drop-zone__message">{t('import.dropHint')}</div>
    </div>
  ) : null;
}
