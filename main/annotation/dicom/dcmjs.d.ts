/** The part of dcmjs (0.52, no bundled typings) that the annotation interchange uses. */
declare module 'dcmjs' {
  export interface DicomDictLike {
    meta: Record<string, unknown>;
    dict: Record<string, unknown>;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  const dcmjs: {
    log: { setLevel(level: string): void };
    data: {
      DicomMetaDictionary: {
        uid(): string;
        naturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
      };
      DicomDict: new (meta: Record<string, unknown>) => DicomDictLike;
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDictLike;
      };
    };
  };
  export default dcmjs;
}
