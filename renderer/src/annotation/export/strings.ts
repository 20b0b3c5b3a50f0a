/** The export dialog's strings, en and zh-CN, added to i18next's bundles when the dialog first renders. */
import type { i18n as I18n } from 'i18next';

const en = {
  title: 'Export annotations',
  scope: 'Studies',
  scopeChosen_one: 'This study',
  scopeChosen_other: 'The {{count}} selected studies',
  scopeAll: 'Every study in the catalog',
  format: 'Format',
  formats: {
    sr: 'DICOM SR (measurements, TID 1500)',
    seg: 'DICOM SEG (segmentations)',
    nifti: 'NIfTI images and labelmaps (.nii.gz)',
    nnunet: 'nnU-Net v2 dataset',
    csv: 'CSV (measurements and classifications)',
    json: 'JSON (every annotation)',
  },
  deid: "De-identify with the project's settings",
  deidHint:
    'SR and SEG go through the de-identification engine; NIfTI, CSV and JSON carry pseudonymous ids only.',
  researchOnly: 'Exports are for research use only, not for diagnosis.',
  start: 'Export',
  cancel: 'Cancel',
  close: 'Close',
  running: 'Exporting…',
  finished: 'Export finished.',
  cancelled: 'Export cancelled.',
  failed: 'The export stopped: {{message}}',
  progress: '{{studiesDone}} of {{studiesTotal}} studies · {{filesWritten}} files',
  open: 'Export annotations',
  notes: 'Notes (left out or assumed)',
};

const zhCN: typeof en = {
  title: '导出标注',
  scope: '检查',
  scopeChosen_one: '当前检查',
  scopeChosen_other: '选中的 {{count}} 个检查',
  scopeAll: '目录中的全部检查',
  format: '格式',
  formats: {
    sr: 'DICOM SR（测量，TID 1500）',
    seg: 'DICOM SEG（分割）',
    nifti: 'NIfTI 图像和标签图（.nii.gz）',
    nnunet: 'nnU-Net v2 数据集',
    csv: 'CSV（测量和分类）',
    json: 'JSON（全部标注）',
  },
  deid: '按项目设置去标识化',
  deidHint: 'SR 和 SEG 经去标识化引擎处理；NIfTI、CSV 和 JSON 只含假名编号。',
  researchOnly: '导出内容仅供科研使用，不得用于诊断。',
  start: '导出',
  cancel: '取消',
  close: '关闭',
  running: '正在导出…',
  finished: '导出完成。',
  cancelled: '导出已取消。',
  failed: '导出中止：{{message}}',
  progress: '{{studiesDone}} / {{studiesTotal}} 个检查 · {{filesWritten}} 个文件',
  open: '导出标注',
  notes: '说明（未导出或按假定值导出）',
};

export function ensureExportStrings(i18n: I18n): void {
  if (i18n.exists('annotationExport.title', { lng: 'en', fallbackLng: [] })) return;
  i18n.addResourceBundle('en', 'translation', { annotationExport: en }, true, false);
  i18n.addResourceBundle('zh-CN', 'translation', { annotationExport: zhCN }, true, false);
}
