/**
 * The mouse bindings every stack viewport shares: left drag window/level, right drag zoom,
 * middle drag pan, wheel scroll (one slice per notch; trackpad deltas add up: readingScrollTool.ts).
 * One tool group holds all viewports of the layout.
 */
import {
  Enums as ToolEnums,
  PanTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import { ReadingScrollTool } from './readingScrollTool.js';

const TOOL_GROUP_ID = 'radlabel-stack';
const { MouseBindings } = ToolEnums;

export function stackToolGroup(): ToolTypes.IToolGroup {
  const existing = ToolGroupManager.getToolGroup(TOOL_GROUP_ID);
  if (existing) return existing;
  const group = ToolGroupManager.createToolGroup(TOOL_GROUP_ID);
  if (!group) throw new Error('Cornerstone refused to create the stack tool group');
  group.addTool(WindowLevelTool.toolName);
  group.addTool(ZoomTool.toolName);
  group.addTool(PanTool.toolName);
  group.addTool(ReadingScrollTool.toolName);
  group.setToolActive(WindowLevelTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(ReadingScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
  return group;
}
