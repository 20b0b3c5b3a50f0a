/**
 * Cornerstone's ReferenceLinesTool, drawn only between viewports that show an image.
 *
 * Cause of the page error "Cannot read properties of undefined (reading '0')" during study
 * switches and with compare-prior: the tool draws on every viewport of the tool group on each
 * annotation render, and reads the camera of the target and of the source viewport through
 * getViewReference(). A stack viewport whose new stack is set but whose first image has not been
 * drawn yet (CPU rendering: getCameraCPU() is `{}` until the image's metadata is there) has no
 * viewUp, and Viewport.getViewReference() crosses it (vec3.cross on undefined). A study switch
 * replaces every viewport's stack while the source is still configured, so every redraw in that
 * window threw. The tool now skips the line until both viewports have a camera; the next render
 * after the image is drawn draws it.
 */
import { type Types, getEnabledElementByViewportId } from '@cornerstonejs/core';
import { ReferenceLinesTool } from '@cornerstonejs/tools';

/** True once the viewport has drawn an image: its camera has a view-up and a plane normal. */
export function hasCamera(viewport: { getCamera(): Partial<Types.ICamera> } | undefined): boolean {
  if (!viewport) return false;
  try {
    const camera = viewport.getCamera();
    return Boolean(camera?.viewUp && camera.viewPlaneNormal);
  } catch {
    return false;
  }
}

export class DrawnReferenceLinesTool extends ReferenceLinesTool {
  static override toolName = ReferenceLinesTool.toolName;

  constructor(...args: ConstructorParameters<typeof ReferenceLinesTool>) {
    super(...args);
    const draw = this.renderAnnotation;
    this.renderAnnotation = (enabledElement, svgDrawingHelper) => {
      const sourceViewportId = this.configuration['sourceViewportId'] as string | undefined;
      // Nothing to draw on the source itself (one viewport: always). Asked first because reading
      // a CPU viewport's camera reads the element's size, which forces a layout of the SVG layer
      // the tools drew into before this one (~40 ms with 500 measurements drawn).
      if (!sourceViewportId || sourceViewportId === enabledElement.viewport.id) return false;
      const source = getEnabledElementByViewportId(sourceViewportId)?.viewport;
      if (!hasCamera(enabledElement.viewport) || !hasCamera(source)) return false;
      return draw(enabledElement, svgDrawingHelper);
    };
  }
}
