/** Imports through the services' own `import.*` handlers, as the app does, for tests. */
import type { Services } from '../../main/services.js';
import type { ImportProgress } from '../../shared/contract.js';

/**
 * Imports `paths` and waits for the job's end; resolves with its last progress. A file that failed
 * fails the caller unless `failOnErrors` is false (a folder with other files in it). A job still
 * running after `timeoutMs` fails with its last progress (phase, files done), so a hang says where
 * it stopped instead of running into the test's own time limit.
 */
export async function importAndWait(
  services: Pick<Services, 'handlers'>,
  paths: string[],
  { timeoutMs = 100_000, failOnErrors = true }: { timeoutMs?: number; failOnErrors?: boolean } = {},
): Promise<ImportProgress> {
  const { jobId } = await services.handlers['import.start']({ paths });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await services.handlers['import.status']({ jobId });
    if (progress.finishedAt) {
      if (failOnErrors && progress.failed > 0)
        throw new Error(`import failed: ${JSON.stringify(progress.errors)}`);
      return progress;
    }
    if (Date.now() > deadline) {
      const { phase, filesFound, filesDone, added, failed } = progress;
      throw new Error(
        `import not finished after ${timeoutMs} ms: ${JSON.stringify({ phase, filesFound, filesDone, added, failed })}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
