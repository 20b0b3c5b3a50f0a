/**
 * The measurement tools of the stack viewports (Cornerstone3D's own annotation tools) and which
 * one the left mouse button draws with.
 *
 * Reading mode (no measurement tool): left drag is window/level, as before. With a measurement
 * tool chosen, the left button draws it and window/level moves to Ctrl + left drag; right drag
 * (zoom), middle drag (pan), the wheel (scroll) and Shift + left click (locate) never change.
 * Every measurement tool stays passive in the group, so existing annotations can be picked,
 * moved and resized whatever tool is chosen.
 *
 * Statistics (area, mean, std dev, min, max) are Cornerstone's, computed on the modality values
 * (the rescaled pixel values: HU for CT) — `cachedStats[<target>].modalityUnit` says which.
 */
import {
  AngleTool,
  ArrowAnnotateTool,
  BidirectionalTool,
  CircleROITool,
  CobbAngleTool,
  EllipticalROITool,
  Enums as ToolEnums,
  LengthTool,
  PlanarFreehandROITool,
  ProbeTool,
  RectangleROITool,
  WindowLevelTool,
  addTool,
} from '@cornerstonejs/tools';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import { MEASUREMENT_TOOLS, type MeasurementToolName } from '../../../../shared/annotation.js';
import { initImaging } from '../../imaging/initImaging.js';
import { stackToolGroup } from '../../imaging/stackToolGroup.js';
import { arrowTextCallbacks } from './arrowText.js';
import { convertOncePerPass, installFastTextBoxes } from './textBoxes.js';

const { MouseBindings, KeyboardBindings } = ToolEnums;

export { MEASUREMENT_TOOLS, type MeasurementToolName } from '../../../../shared/annotation.js';

/** The tools the statistics of a region apply to (area, mean, std dev, min, max). */
export const REGION_TOOLS: ReadonlySet<string> = new Set([
  'RectangleROI',
  'EllipticalROI',
  'CircleROI',
  'PlanarFreehandROI',
]);

const toolClasses: Record<MeasurementToolName, { toolName: string }> = {
  Length: LengthTool,
  Angle: AngleTool,
  CobbAngle: CobbAngleTool,
  Bidirectional: BidirectionalTool,
  RectangleROI: RectangleROITool,
  EllipticalROI: EllipticalROITool,
  CircleROI: CircleROITool,
  PlanarFreehandROI: PlanarFreehandROITool,
  ArrowAnnotate: ArrowAnnotateTool,
  Probe: ProbeTool,
};

export function isMeasurementTool(name: string | undefined): name is MeasurementToolName {
  return (MEASUREMENT_TOOLS as readonly string[]).includes(name ?? '');
}

/** Adds the measurement tools to Cornerstone and to the stack tool group (once). */
export function ensureMeasurementTools(): ToolTypes.IToolGroup {
  initImaging();
  installFastTextBoxes();
  const group = stackToolGroup();
  for (const name of MEASUREMENT_TOOLS) {
    const ToolClass = toolClasses[name] as Parameters<typeof addTool>[0];
    addTool(ToolClass);
    if (!group.hasTool(name)) {
      group.addTool(name, name === 'ArrowAnnotate' ? arrowTextCallbacks() : undefined);
      group.setToolPassive(name);
    }
    const instance = group.getToolInstance(name) as object | undefined;
    if (instance) convertOncePerPass(instance);
  }
  return group;
}

const primary = { mouseButton: MouseBindings.Primary };
const ctrlPrimary = { mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Ctrl };

/**
 * Puts a measurement tool on the left button (null: back to window/level). The other measurement
 * tools stay passive: their annotations remain editable.
 */
export function activateTool(name: MeasurementToolName | null): void {
  const group = ensureMeasurementTools();
  for (const tool of MEASUREMENT_TOOLS) {
    if (tool !== name) group.setToolPassive(tool, { removeAllBindings: true });
  }
  group.setToolPassive(WindowLevelTool.toolName, { removeAllBindings: true });
  if (name) {
    group.setToolActive(WindowLevelTool.toolName, { bindings: [ctrlPrimary] });
    group.setToolActive(name, { bindings: [primary] });
  } else {
    group.setToolActive(WindowLevelTool.toolName, { bindings: [primary] });
  }
}
