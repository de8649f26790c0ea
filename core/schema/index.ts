/** Schema maintenance for the loader and for addons' maintenance jobs. */
export { syncSchema } from './sync.ts';
export { compactGroupCounts, countsTable } from './group-counts.ts';
