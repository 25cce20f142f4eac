import { writeFileReplacing } from '../io/safeFiles.js';
import { renderReport } from './renderReport.js';
import type { ReportData } from './reportData.js';

/**
 * Render the report and write it to `path` (through a temporary file, never following a
 * symlink planted there).
 * @throws UserError naming `path` when it cannot be written.
 */
export async function writeReport(path: string, data: ReportData): Promise<void> {
  await writeFileReplacing(path, await renderReport(data));
}
