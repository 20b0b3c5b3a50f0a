/**
 * Child process for the crash test: commits batches of files to a store and catalog in a loop,
 * forever, until the parent kills it with SIGKILL at a random instant. Run with tsx:
 *   node --import tsx crash-writer.ts <dataDir>
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Catalog } from '../../../main/catalog/catalog.js';
import { FileStore } from '../../../main/catalog/file-store.js';
import { instanceRecord } from './records.js';

const dataDir = process.argv[2]!;
const catalog = Catalog.open(path.join(dataDir, 'catalog.sqlite'));
const store = FileStore.open(path.join(dataDir, 'store'), (relativePath) =>
  catalog.isFileReferenced(relativePath),
);
process.stdout.write('ready\n');

for (let batch = 0; ; batch += 1) {
  const files = Array.from({ length: 16 }, () => {
    const bytes = crypto.randomBytes(64 * 1024);
    const tempPath = store.newTempPath();
    fs.writeFileSync(tempPath, bytes);
    return { tempPath, sha256: crypto.createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  });
  await store.commit(files, (placed) => {
    catalog.addInstances(
      placed.map((file, index) =>
        instanceRecord({
          sopInstanceUID: `2.25.${process.pid}.${batch}.${index}`,
          sha256: file.sha256,
          filePath: file.relativePath,
          fileSize: files[index]!.size,
        }),
      ),
    );
    return { result: undefined, unreferenced: [] };
  });
}
