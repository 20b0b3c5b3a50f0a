/**
 * The deface view's strings, in English and 简体中文, added to the app's resources (deep merge).
 * The held-reason codes face and defaced live with the other reason codes in i18n/en.ts and zh-CN.ts.
 */
import i18next from 'i18next';

const en = {
  deface: {
    listTitle: 'Faces (Clean Recognizable Visual Features)',
    listHint:
      'A face can be rebuilt from these thin-slice head series. With the option on, each is held at export until you accept a cutting surface.',
    optionOff: 'The option is off in the settings: these series are exported as they are.',
    accepted: 'defaced at export',
    notAccepted: 'held until defaced',
    manual: 'no face profile found: place the cut by hand',
    open: 'Deface…',
    title: 'Deface series',
    loading: 'Reading the series and finding the skin surface…',
    sagittal: 'Sagittal (midline)',
    axial: 'Axial (nose tip)',
    coronal: 'Coronal (at the cut)',
    help: 'Everything in front of the red line is set to air in the written copy; the stored images stay as they are. Drag the two handles on the sagittal plane, or the line on the axial plane to move it forwards or backwards.',
    automatic: 'Proposed automatically from the skin surface (nasion and chin).',
    noAutomatic: 'No nose was found on the midline profile: place the cut by hand.',
    reset: 'Back to the proposal',
    apply: 'Apply',
    cancel: 'Cancel',
    clear: 'Forget accepted cut',
    surfaceTime: 'Surface found in {{ms}} ms',
  },
};

const zhCN = {
  deface: {
    listTitle: '面部（清除可识别的视觉特征）',
    listHint: '这些薄层头部序列可重建出面部。启用该选项时，导出会暂扣每个序列，直到您接受一个切割面。',
    optionOff: '设置中未启用该选项：这些序列按原样导出。',
    accepted: '导出时去面部特征',
    notAccepted: '去面部特征前暂扣',
    manual: '未找到面部轮廓：请手动放置切割面',
    open: '去面部特征…',
    title: '去面部特征',
    loading: '正在读取序列并查找皮肤表面…',
    sagittal: '矢状位（正中）',
    axial: '轴位（鼻尖）',
    coronal: '冠状位（切割处）',
    help: '写出的副本中，红线前方的一切都被设为空气；已存储的图像保持不变。拖动矢状位上的两个手柄，或拖动轴位上的线使其前后移动。',
    automatic: '根据皮肤表面（鼻根点和颏部）自动提出。',
    noAutomatic: '正中轮廓上未找到鼻部：请手动放置切割面。',
    reset: '恢复自动提案',
    apply: '应用',
    cancel: '取消',
    clear: '撤销已接受的切割面',
    surfaceTime: '皮肤表面用时 {{ms}} 毫秒',
  },
};

export const defaceStrings = { en, 'zh-CN': zhCN } as const;

let registered = false;

/**
 * Adds the strings once i18next is set up (initI18n): components call it before they render.
 * Held-reason codes are also read by the report view, which the export dialog shows with the
 * deface list, so the list registers them early.
 */
export function useDefaceStrings(): void {
  if (registered || typeof i18next.addResourceBundle !== 'function') return;
  for (const [language, resources] of Object.entries(defaceStrings))
    i18next.addResourceBundle(language, 'translation', resources, true, false);
  registered = true;
}
