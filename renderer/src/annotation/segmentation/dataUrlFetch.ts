/**
 * In the interpolation worker: `fetch` of a `data:` URL answered from the URL itself. ITK-Wasm's
 * zstd decoder loads its own WebAssembly with `fetch('data:application/wasm;base64,…')`, which the
 * app's Content Security Policy (connect-src 'self') refuses; decoding it here keeps the policy as
 * strict as it is. Other requests go to the real fetch.
 */
const realFetch = self.fetch.bind(self);

self.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url);
  if (!match) return realFetch(input, init);
  const [, type = 'application/octet-stream', base64, payload = ''] = match;
  let bytes: Uint8Array<ArrayBuffer>;
  if (base64) {
    const binary = atob(payload);
    bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  } else {
    bytes = new TextEncoder().encode(decodeURIComponent(payload));
  }
  return Promise.resolve(
    new Response(bytes, { headers: { 'Content-Type': type || 'application/octet-stream' } }),
  );
};

export {};
