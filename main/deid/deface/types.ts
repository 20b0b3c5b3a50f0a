/**
 * Defacing (Clean Recognizable Visual Features Option, PS3.15 E.3.2, CID 7050 code 113102): what the service,
 * the engine and the app exchange. Everything here is plain data: it travels to the engine's
 * worker threads inside the run's configuration.
 */

/** A point in patient coordinates (LPS, millimetres). */
export type Point3 = [number, number, number];

/**
 * The cutting surface: the plane through `superior` and `inferior` that contains the patient's
 * left–right axis (a line on every sagittal slice, a row on every axial one). Everything in
 * front of it (anterior, towards −y) is set to air.
 */
export interface DefaceCut {
  superior: Point3;
  inferior: Point3;
}

/** The face landmarks found on the mid-sagittal profile (patient coordinates). */
export interface FaceLandmarks {
  nasion: Point3;
  noseTip: Point3;
  chin: Point3 | null;
}

/** What the run knows about faces: set by the service on DeidConfig.deface. */
export interface DefacePlan {
  /** Original Series Instance UIDs of series that show a face (held unless a cut is accepted). */
  faceSeries: string[];
  /** Accepted cuts by original Series Instance UID. */
  cuts: Record<string, DefaceCut>;
}

/** Reasons (no PHI) of the face hold, shown in reports; reason code `face`. */
export const FACE_HOLD_REASON = 'thin-slice head series may show the face and was not defaced';
