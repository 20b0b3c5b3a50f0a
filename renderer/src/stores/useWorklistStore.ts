/**
 * The worklist: search, sort, the page of studies shown, and the selected study with its series.
 * Searching and sorting happen in main (catalog.listStudies); this store only keeps the latest
 * answer and drops answers that arrive after a newer request was sent.
 *
 * Selection: `selectedStudyUID` is the study in focus (its series are shown, Enter opens it);
 * `selection` the studies chosen for an action (export), in list order — click selects one,
 * Ctrl/⌘+click adds or removes one, Shift+click a range from the last clicked, Ctrl+A all shown.
 */
import { create } from 'zustand';
import type {
  ListStudiesResponse,
  StudyDetail,
  StudySortField,
  StudySummary,
} from '../../../shared/contract.js';
import { host } from '../host/index.js';
import { useViewerStore } from './useViewerStore.js';

export type SortDirection = 'asc' | 'desc';

interface WorklistState {
  search: string;
  /** The search the shown list answers (the list lags `search` while a request is in flight). */
  shownSearch: string;
  sort: { field: StudySortField; direction: SortDirection };
  studies: StudySummary[];
  total: number;
  loading: boolean;
  error: unknown;
  selectedStudyUID: string | null;
  selectedDetail: StudyDetail | null;
  /** Studies chosen for an action, in list order (always holds the focused study when there is one). */
  selection: string[];
  /** Where a Shift+click range starts. */
  anchorUID: string | null;
  /** Bumped when the search is set from outside the search field (it then shows the new text). */
  searchRevision: number;
  setSearch(search: string): void;
  /** Sets the search from an action (context menu) and runs it. */
  searchFor(search: string): void;
  /** A click on a study row: alone, added/removed (toggle), or a range from the anchor (range). */
  clickStudy(studyInstanceUID: string, mode?: 'single' | 'toggle' | 'range'): void;
  selectAll(): void;
  toggleSort(field: StudySortField): void;
  refresh(): Promise<void>;
  /** Appends the next page of the same search and sort (the list keeps what it shows). */
  loadMore(): Promise<void>;
  /** Focuses a study (its series are shown); `keepSelection` leaves the chosen set to the caller. */
  selectStudy(studyInstanceUID: string | null, keepSelection?: boolean): Promise<void>;
  /** Moves the selection up or down the visible list (keyboard navigation); `extend` grows a range. */
  moveSelection(step: number, extend?: boolean): void;
}

/** Studies per request; the worklist offers the next page with "Show more". */
export const PAGE_SIZE = 500;
let latestListRequest = 0;
let latestDetailRequest = 0;

export const useWorklistStore = create<WorklistState>()((set, get) => ({
  search: '',
  shownSearch: '',
  sort: { field: 'studyDate', direction: 'desc' },
  studies: [],
  total: 0,
  loading: false,
  error: null,
  selectedStudyUID: null,
  selectedDetail: null,
  selection: [],
  anchorUID: null,
  searchRevision: 0,

  setSearch(search) {
    set({ search });
  },

  searchFor(search) {
    set((state) => ({ search, searchRevision: state.searchRevision + 1 }));
    void get().refresh();
  },

  clickStudy(studyInstanceUID, mode = 'single') {
    const { studies, selection, anchorUID } = get();
    const order = studies.map((study) => study.studyInstanceUID);
    if (mode === 'toggle') {
      const chosen = new Set(selection);
      if (chosen.has(studyInstanceUID)) chosen.delete(studyInstanceUID);
      else chosen.add(studyInstanceUID);
      set({ selection: order.filter((uid) => chosen.has(uid)), anchorUID: studyInstanceUID });
      // Focus follows the click, unless the click took the study out of the selection.
      if (chosen.has(studyInstanceUID)) void get().selectStudy(studyInstanceUID, true);
      else if (get().selectedStudyUID === studyInstanceUID)
        void get().selectStudy(get().selection.at(-1) ?? null, true);
      return;
    }
    if (mode === 'range' && anchorUID && order.includes(anchorUID)) {
      const [anchor, target] = [order.indexOf(anchorUID), order.indexOf(studyInstanceUID)];
      set({ selection: order.slice(Math.min(anchor, target), Math.max(anchor, target) + 1) });
      void get().selectStudy(studyInstanceUID, true);
      return;
    }
    set({ selection: [studyInstanceUID], anchorUID: studyInstanceUID });
    void get().selectStudy(studyInstanceUID, true);
  },

  selectAll() {
    const { studies, selectedStudyUID } = get();
    set({ selection: studies.map((study) => study.studyInstanceUID) });
    if (!selectedStudyUID && studies[0]) void get().selectStudy(studies[0].studyInstanceUID, true);
  },

  toggleSort(field) {
    const { sort } = get();
    const direction: SortDirection = sort.field === field && sort.direction === 'asc' ? 'desc' : 'asc';
    set({ sort: { field, direction } });
    void get().refresh();
  },

  async refresh() {
    const { selectedStudyUID } = get();
    const fetched = await fetchPage(0);
    if (!fetched) return;
    const shown = new Set(fetched.result.studies.map((study) => study.studyInstanceUID));
    set((state) => ({
      studies: fetched.result.studies,
      total: fetched.result.total,
      shownSearch: fetched.search,
      // What is no longer listed is no longer chosen.
      selection: state.selection.filter((uid) => shown.has(uid)),
    }));
    if (selectedStudyUID) void get().selectStudy(selectedStudyUID);
  },

  async loadMore() {
    const { studies, total, loading } = get();
    if (loading || studies.length >= total) return;
    const fetched = await fetchPage(studies.length);
    if (!fetched) return;
    const shown = new Set(studies.map((study) => study.studyInstanceUID));
    set({
      studies: [...studies, ...fetched.result.studies.filter((study) => !shown.has(study.studyInstanceUID))],
      total: fetched.result.total,
    });
  },

  async selectStudy(studyInstanceUID, keepSelection = false) {
    const request = ++latestDetailRequest;
    if (studyInstanceUID === null) {
      set(
        keepSelection
          ? { selectedStudyUID: null, selectedDetail: null }
          : { selectedStudyUID: null, selectedDetail: null, selection: [] },
      );
      return;
    }
    if (!keepSelection && !get().selection.includes(studyInstanceUID))
      set({ selection: [studyInstanceUID], anchorUID: studyInstanceUID });
    const keepDetail = get().selectedDetail?.study.studyInstanceUID === studyInstanceUID;
    set({ selectedStudyUID: studyInstanceUID, selectedDetail: keepDetail ? get().selectedDetail : null });
    try {
      const detail = await host.api.call('catalog.getStudy', { studyInstanceUID });
      if (request === latestDetailRequest) {
        set({ selectedDetail: detail });
        useViewerStore.getState().prepareStudy(detail);
      }
    } catch (error) {
      if (request === latestDetailRequest) set({ selectedDetail: null, error });
    }
  },

  moveSelection(step, extend = false) {
    const { studies, selectedStudyUID } = get();
    if (studies.length === 0) return;
    const current = studies.findIndex((study) => study.studyInstanceUID === selectedStudyUID);
    const next = current < 0 ? 0 : Math.min(studies.length - 1, Math.max(0, current + step));
    get().clickStudy(studies[next]!.studyInstanceUID, extend ? 'range' : 'single');
  },
}));

/**
 * One page of the current search and sort, from `offset`. Keeps `loading`/`error` up to date and
 * returns null when the request failed or a newer one was sent meanwhile (its answer is stale).
 */
async function fetchPage(offset: number): Promise<{ result: ListStudiesResponse; search: string } | null> {
  const request = ++latestListRequest;
  const { search, sort } = useWorklistStore.getState();
  const trimmed = search.trim();
  useWorklistStore.setState({ loading: true });
  try {
    const result = await host.api.call('catalog.listStudies', {
      ...(trimmed ? { search: trimmed } : {}),
      sort,
      limit: PAGE_SIZE,
      offset,
    });
    if (request !== latestListRequest) return null;
    useWorklistStore.setState({ loading: false, error: null });
    return { result, search: trimmed };
  } catch (error) {
    if (request === latestListRequest) useWorklistStore.setState({ loading: false, error });
    return null;
  }
}
