export * from './types.js';
export { defaceStep, DEFACED_REASON } from './engine-step.js';
export { findFaceSeries, planDeface, planOfFindings, seriesOfFiles, type FaceSeriesFinding } from './plan.js';
export { findFaceSurface, type FaceSurface } from './surface.js';
export { headerSuggestsFace } from './detect.js';
export { loadHeadVolume, type HeadVolume } from './volume.js';
export { cutHalfSpace } from './geometry.js';
export { defacePlanes, type Plane } from './planes.js';
