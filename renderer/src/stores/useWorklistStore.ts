/**
 * The worklist: search, sort, the page of studies shown, and the selected study with its series.
 * Searching and sorting happen in main (catalog.listStudies); this store only keeps the latest
 * answer and drops answers that arrive after a newer request was sent.
 */
import { create } from 'zustand';
import type {
  ListStudiesResponse,
  StudyDetail,
  StudySortField,
  StudySummary,
} from '../../../shared/contract.js';
import { host } from '../host/index.js';

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
  setSearch(search: string): void;
  toggleSort(field: StudySortField): void;
  refresh(): Promise<void>;
  /** Appends the next page of the same search and sort (the list keeps what it shows). */
  loadMore(): Promise<void>;
  selectStudy(studyInstanceUID: string | null): Promise<void>;
  /** Moves the selection up or down the visible list (keyboard navigation). */
  moveSelection(step: number): void;
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

  setSearch(search) {
    set({ search });
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
    set({ studies: fetched.result.studies, total: fetched.result.total, shownSearch: fetched.search });
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

  async selectStudy(studyInstanceUID) {
    const request = ++latestDetailRequest;
    if (studyInstanceUID === null) {
      set({ selectedStudyUID: null, selectedDetail: null });
      return;
    }
    const keepDetail = get().selectedDetail?.study.studyInstanceUID === studyInstanceUID;
    set({ selectedStudyUID: studyInstanceUID, selectedDetail: keepDetail ? get().selectedDetail : null });
    try {
      const detail = await host.api.call('catalog.getStudy', { studyInstanceUID });
      if (request === latestDetailRequest) set({ selectedDetail: detail });
    } catch (error) {
      if (request === latestDetailRequest) set({ selectedDetail: null, error });
    }
  },

  moveSelection(step) {
    const { studies, selectedStudyUID } = get();
    if (studies.length === 0) return;
    const current = studies.findIndex((study) => study.studyInstanceUID === selectedStudyUID);
    const next = current < 0 ? 0 : Math.min(studies.length - 1, Math.max(0, current + step));
    void get().selectStudy(studies[next]!.studyInstanceUID);
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
