/**
 * The built-in label schema, used while no project schema is loaded (docs/annotation.md). A few
 * generic labels for each kind, with SNOMED-CT codes, and one study-level question.
 */
import { LabelSchema } from './annotation.js';

const measurementTools = ['Length', 'Angle', 'CobbAngle', 'Bidirectional', 'ArrowAnnotate', 'Probe'];
const regionTools = ['RectangleROI', 'EllipticalROI', 'CircleROI', 'PlanarFreehandROI'];
const segmentTools = [
  'Brush',
  'Eraser',
  'ThresholdBrush',
  'RectangleScissor',
  'CircleScissor',
  'PaintFill',
  'Interpolation',
];

export const DEFAULT_LABEL_SCHEMA: LabelSchema = LabelSchema.parse({
  id: 'radlabel-default',
  name: 'RadLabel default',
  version: '1',
  labels: [
    {
      id: 'lesion',
      name: { en: 'Lesion', 'zh-CN': '病灶' },
      color: '#e6194b',
      kind: 'measurement',
      tools: [...measurementTools, ...regionTools],
      finding: { value: '52988006', scheme: 'SCT', meaning: 'Lesion' },
      attributes: [
        {
          id: 'confidence',
          name: { en: 'Confidence', 'zh-CN': '置信度' },
          type: 'choice',
          required: false,
          options: [
            { id: 'low', name: { en: 'Low', 'zh-CN': '低' } },
            { id: 'medium', name: { en: 'Medium', 'zh-CN': '中' } },
            { id: 'high', name: { en: 'High', 'zh-CN': '高' } },
          ],
        },
      ],
    },
    {
      id: 'nodule',
      name: { en: 'Nodule', 'zh-CN': '结节' },
      color: '#3cb44b',
      kind: 'measurement',
      tools: [...measurementTools, ...regionTools],
      finding: { value: '27925004', scheme: 'SCT', meaning: 'Nodule' },
      attributes: [],
    },
    {
      id: 'measurement',
      name: { en: 'Measurement', 'zh-CN': '测量' },
      color: '#ffe119',
      kind: 'measurement',
      tools: measurementTools,
      attributes: [],
    },
    {
      id: 'region',
      name: { en: 'Region of interest', 'zh-CN': '感兴趣区' },
      color: '#4363d8',
      kind: 'region',
      tools: regionTools,
      attributes: [],
    },
    {
      id: 'mass',
      name: { en: 'Mass', 'zh-CN': '肿块' },
      color: '#f58231',
      kind: 'segment',
      tools: segmentTools,
      finding: { value: '4147007', scheme: 'SCT', meaning: 'Mass' },
      attributes: [],
    },
    {
      id: 'organ',
      name: { en: 'Organ', 'zh-CN': '器官' },
      color: '#911eb4',
      kind: 'segment',
      tools: segmentTools,
      finding: { value: '91723000', scheme: 'SCT', meaning: 'Anatomical structure' },
      attributes: [],
    },
  ],
  questions: [
    {
      id: 'image-quality',
      level: 'study',
      name: { en: 'Image quality', 'zh-CN': '图像质量' },
      type: 'single',
      required: false,
      options: [
        { id: 'good', name: { en: 'Good', 'zh-CN': '良好' } },
        { id: 'limited', name: { en: 'Limited', 'zh-CN': '受限' } },
        { id: 'non-diagnostic', name: { en: 'Not usable', 'zh-CN': '不可用' } },
      ],
    },
  ],
});
