export * from './schema.ts';
export { defineConfig, loadConfig, loadCaseFile, loadDataFile, findConfigFile, resolveFrom, formatPath, type LoadedConfig } from './load.ts';
export { DEFAULT_CONFIG } from './defaults.ts';
export * from './ledger-schema.ts';
export * from './gate-schema.ts';
export * from './baseline-schema.ts';
export * from './smoke-schema.ts';
export * from './mirror-schema.ts';
