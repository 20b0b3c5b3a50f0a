/** The part of dcmjs (0.52, no bundled typings) that the annotation interchange uses. */
declare module 'dcmjs' {
  export interface DicomDictLike {
    meta: Record<string, unknown>;
    dict: Record<string, unknown>;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  /** A stream over an ArrayBuffer; `offset` is where the next read starts. */
  export interface ReadBufferStreamLike {
    offset: number;
    decoder: unknown;
    setDecoder(decoder: unknown): void;
  }
  /** One element as dcmjs's reader gives it (DicomMessage._readTag). */
  export interface ReadElement {
    tag: { toCleanString(): string };
    vr: { type: string };
    values: unknown[];
    rawValues: unknown;
  }
  const dcmjs: {
    log: { setLevel(level: string): void };
    data: {
      DicomMetaDictionary: {
        uid(): string;
        naturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
        /** Keyed by punctuated tag, e.g. "(0040,A730)". */
        dictionary: Record<string, { vr: string; name: string }>;
      };
      DicomDict: new (meta: Record<string, unknown>) => DicomDictLike;
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDictLike;
        /** Reads the element at the stream's offset (its header and value) in a transfer syntax. */
        _readTag(stream: ReadBufferStreamLike, syntax: string): ReadElement;
        /** Reads elements to the stream's end (sets the stream's decoder on a Specific Character Set). */
        _read(
          stream: ReadBufferStreamLike,
          syntax: string,
          options?: Record<string, unknown>,
        ): Record<string, unknown>;
      };
      ReadBufferStream: new (buffer: ArrayBuffer) => ReadBufferStreamLike;
      ValueRepresentation: {
        /** What dcmjs's reader wraps each element of its DICOM JSON form in. */
        addTagAccessors<T extends object>(tag: T): T;
      };
    };
  };
  export default dcmjs;
}
