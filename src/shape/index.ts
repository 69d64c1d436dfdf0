export { parseBody, type ParseResult } from './parse.ts';
export { shapeSignature, shapeHash, bodyHash } from './signature.ts';
export { diffJson } from './diff.ts';
export { dialectOf, type Dialect } from './explain.ts';
export { snippet } from './json.ts';
export { compareBodies, mediaTypeOf, type Body } from './body.ts';
export { compileGlobs, escapeToken, splitPointer, type PathMatcher } from './pointer.ts';
export {
  DIFF_CLASSES,
  type DiffClass,
  type DiffKind,
  type DiffOptions,
  type Difference,
  type JsonValue,
} from './types.ts';
