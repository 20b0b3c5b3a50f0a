/**
 * Click-to-locate for stack viewports (a 3D cursor): Shift+click a point and every other viewport
 * showing the same frame of reference jumps to the slice nearest that point and marks it with a
 * small cross; the cross stays in the source viewport as it scrolls. Built on Cornerstone's
 * ReferenceCursors tool (which follows the mouse on hover): here the point is set by a click, and
 * the other viewports jump once per click, so the reader can scroll them away again.
 */
import { type Types, getEnabledElement } from '@cornerstonejs/core';
import { ReferenceCursors } from '@cornerstonejs/tools';
import type { Types as ToolTypes } from '@cornerstonejs/tools';

type MouseEvent = ToolTypes.EventTypes.MouseDownActivateEventType;

export class LocateTool extends ReferenceCursors {
  static override toolName = 'Locate';
  /** Viewports still to move to the located point (each moves once per click). */
  private pendingJumps = new Set<string>();
  private sourceFrameOfReference: string | null = null;

  constructor(toolProps: ToolTypes.PublicToolProps = {}) {
    super(toolProps);
    const setPoint = this.mouseMoveCallback;
    // Hovering does nothing: the point is set by a click only.
    this.mouseMoveCallback = () => false;
    (this as unknown as { preMouseDownCallback(evt: MouseEvent): boolean }).preMouseDownCallback = (evt) => {
      const { element } = evt.detail;
      const viewport = getEnabledElement(element)?.viewport;
      if (!viewport) return false;
      this.sourceFrameOfReference = viewport.getFrameOfReferenceUID();
      const engine = viewport.getRenderingEngine();
      this.pendingJumps = new Set(
        engine
          .getViewports()
          .filter((other) => other.id !== viewport.id)
          .map((other) => other.id),
      );
      setPoint(evt as unknown as Parameters<typeof setPoint>[0]);
      return true;
    };
  }

  override updateViewportImage(viewport: Types.IViewport): void {
    if (!this.pendingJumps.has(viewport.id)) return;
    this.pendingJumps.delete(viewport.id);
    // Another patient space (a prior study) has no common coordinates with this point.
    if (viewport.getFrameOfReferenceUID() !== this.sourceFrameOfReference) return;
    super.updateViewportImage(viewport);
  }
}
