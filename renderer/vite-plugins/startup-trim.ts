/**
 * Less work when the app starts (renderer/README.md, "Viewer performance"). Build-time code: runs
 * in Node.
 *
 * - vtk.js's XML poly-data reader is replaced, for Cornerstone's imports only (a mesh in VTK's XML
 *   format, `cache/classes/Mesh.js`; the orientation-marker tool's custom model), by a module that
 *   says it is not available (renderer/src/imaging/noVtkXmlReader.ts). RadLabel loads neither, and
 *   the reader pulls an XML DOM and builder library into the first chunk (@oozcitak/*, xmlbuilder2,
 *   js-yaml: ~290 kB of script compiled and evaluated at every start).
 * - loglevel (Cornerstone makes ~130 loggers when its modules are evaluated, through the copy of
 *   loglevel bundled inside dcmjs's ES build; loglevel's own package gets the same edit) looks for
 *   each logger's persisted level in localStorage and, when there is none, in `document.cookie`: a
 *   synchronous read from the browser per logger. The cookie string is read once and kept for the
 *   later loggers (a level is persisted in a cookie only where localStorage fails).
 */
import type { Plugin } from 'vite';

const here = (relative: string): string => decodeURIComponent(new URL(relative, import.meta.url).pathname);

const XML_POLY_DATA_READER = '@kitware/vtk.js/IO/XML/XMLPolyDataReader.js';
const XML_READER_IMPORTERS = [
  '@cornerstonejs/core/dist/esm/cache/classes/Mesh.js',
  '@cornerstonejs/tools/dist/esm/tools/OrientationMarkerTool.js',
];
const NO_XML_READER = here('../src/imaging/noVtkXmlReader.ts');

/** loglevel itself, and dcmjs's ES build, which bundles it (Cornerstone's loggers are dcmjs's `log`). */
const LOGLEVEL = /\/node_modules\/(loglevel\/lib\/loglevel\.js|dcmjs\/build\/dcmjs\.es\.js)$/;
/** [what loglevel 1.9 has, what it becomes]: each must be found exactly once. */
const LOGLEVEL_EDITS: [string, string][] = [
  [
    'var noop = function() {};',
    'var noop = function() {};\n    var cookiesReadOnce;\n    function readCookiesOnce() {\n' +
      '        if (cookiesReadOnce === undefined) cookiesReadOnce = window.document.cookie;\n' +
      '        return cookiesReadOnce;\n    }',
  ],
  ['var cookie = window.document.cookie;', 'var cookie = readCookiesOnce();'],
];

const plain = (id: string): string => id.replaceAll('\\', '/').split('?')[0]!;

export function startupTrim(): Plugin {
  return {
    name: 'radlabel-startup-trim',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source !== XML_POLY_DATA_READER || !importer) return null;
      const from = plain(importer);
      return XML_READER_IMPORTERS.some((path) => from.endsWith(path)) ? NO_XML_READER : null;
    },
    transform(code, id) {
      if (!LOGLEVEL.test(plain(id))) return null;
      let edited = code;
      for (const [from, to] of LOGLEVEL_EDITS) {
        if (edited.split(from).length !== 2) {
          throw new Error(`startup-trim: loglevel changed, "${from}" is not found once in ${id}`);
        }
        edited = edited.replace(from, to);
      }
      return { code: edited, map: null };
    },
  };
}
