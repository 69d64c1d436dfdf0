import { explainNeutral } from './explain-neutral.ts';
import { isZeroValue } from './json.ts';
import { caseStyleOf, serdeRenameAllFor } from './names.ts';
import type { NumberReprWhy } from './numbers.ts';
import { kindOf, type JsonKind, type JsonValue } from './types.ts';

/**
 * Likely causes and fix hints. Sides are named "left"/"right" because either runtime can be the
 * primary; the Rust/Go wording follows what each encoder actually does, so a reader can tell which
 * side a symptom belongs to.
 */
export interface Explanation {
  cause: string;
  hint: string;
}

/** Why a finding was raised, as far as the walker could tell; explain() turns it into prose. */
export type Reason =
  | { class: 'key-case'; pairs: Array<[string, string]> }
  | { class: 'null-vs-missing' | 'null-vs-empty' | 'missing-field' | 'extra-field' | 'type-change' | 'missing-element' | 'extra-element' }
  /** `members`: how many elements only the left / only the right has, when the arrays were aligned. */
  | { class: 'array-shape'; lengths: [number, number]; elements?: [string, string]; members?: [number, number] }
  | { class: 'number-repr'; why: NumberReprWhy }
  | { class: 'value-change'; why: 'float32' | 'value' | 'timestamp-format' | 'name-case' }
  | { class: 'array-order'; unstable?: boolean };

/**
 * The vocabulary causes may use. serde, encoding/json and axum are named only when the declared
 * runtimes are Rust and Go: blaming `omitempty` on an nginx/lighttpd pair is a wrong cause.
 */
export type Dialect = 'rust-go' | 'neutral';

function ecosystemOf(name: string): 'rust' | 'go' | undefined {
  const tokens = name.toLowerCase().split(/[^a-z0-9]+/);
  if (tokens.includes('rust') || tokens.includes('rs')) return 'rust';
  if (tokens.includes('go') || tokens.includes('golang')) return 'go';
  return undefined;
}

/** Rust/Go wording for a Rust/Go pair (by runtime name), or when nothing is declared (a library call). */
export function dialectOf(runtimes: readonly [string, string] | undefined): Dialect {
  if (!runtimes) return 'rust-go';
  const pair = new Set(runtimes.map(ecosystemOf));
  return pair.has('rust') && pair.has('go') ? 'rust-go' : 'neutral';
}

export function explain(reason: Reason, left: JsonValue | undefined, right: JsonValue | undefined, dialect: Dialect = 'rust-go'): Explanation {
  if (dialect === 'neutral') return explainNeutral(reason, left, right);
  switch (reason.class) {
    case 'key-case':
      return explainKeyCase(reason.pairs);
    case 'null-vs-missing':
      return {
        cause: `${left === null ? 'left' : 'right'} emits null where ${left === null ? 'right' : 'left'} omits the key: Rust \`Option\` without \`skip_serializing_if\` writes null, Go \`omitempty\` on a pointer/slice/map drops it (or a Go pointer without omitempty writes null where serde skips)`,
        hint: 'pick one contract: `#[serde(skip_serializing_if = "Option::is_none")]` on the Rust field to omit, or drop `omitempty` from the Go json tag to always emit null',
      };
    case 'null-vs-empty': {
      const empty = Array.isArray(left) || Array.isArray(right) ? 'slice' : 'map';
      return {
        cause: `Go encodes a nil ${empty} as null and an empty one as ${empty === 'slice' ? '[]' : '{}'}; serde writes an empty ${empty === 'slice' ? 'Vec' : 'map'} as ${empty === 'slice' ? '[]' : '{}'} and only \`None\` as null`,
        hint: `initialise the Go ${empty} before encoding (\`${empty === 'slice' ? 'items = []T{}' : 'm = map[K]V{}'}\`), or make the Rust field \`Option<…>\` if null is the contract`,
      };
    }
    case 'type-change':
      return explainTypeChange(left, right);
    case 'missing-field':
    case 'extra-field':
      return explainOneSided(reason.class, reason.class === 'missing-field' ? left : right);
    case 'array-shape':
      return explainArrayShape(reason.lengths, reason.elements, reason.members);
    case 'missing-element':
    case 'extra-element':
      return {
        cause: `this element exists only on the ${reason.class === 'missing-element' ? 'left' : 'right'}: the Rust and Go handlers select different elements (filter, limit, dedup or data source)`,
        hint: 'compare how the Rust and Go handlers build this list (query, filters, bounds) for the same request',
      };
    case 'number-repr':
      return explainNumberRepr(reason.why);
    case 'value-change':
      return explainValueChange(reason.why, left, right);
    case 'array-order':
      if (reason.unstable) {
        return {
          cause: 'the order changes between identical requests to the same runtime: a list built by iterating a map (Go randomises map iteration; Rust HashMap iteration is seeded per process)',
          hint: 'sort the keys before building the list (`sort.Strings(keys)` in Go, a BTreeMap or `sort` in Rust), or list the path in unorderedPaths if order is not part of the contract',
        };
      }
      return {
        cause: 'same elements in a different order: HashMap/HashSet iteration in Rust or Go map iteration (randomised) leaking into a list, or a query without ORDER BY',
        hint: 'sort before serialising on both sides (BTreeMap/`sort_by` in Rust, `sort.Slice` in Go), or list the path in unorderedPaths if order is not part of the contract',
      };
  }
}

function describeStyle(keys: string[]): string {
  const styles = new Set(keys.map(caseStyleOf));
  if (styles.size === 1) return [...styles][0] as string;
  // One-word keys read as lowercase/UPPERCASE although they belong to a snake/Pascal family.
  const multi = keys.map(caseStyleOf).filter((s) => s !== 'lowercase' && s !== 'UPPERCASE');
  return multi[0] ?? [...styles].join('/');
}

function explainKeyCase(pairs: Array<[string, string]>): Explanation {
  const lefts = pairs.map((p) => p[0]);
  const rights = pairs.map((p) => p[1]);
  const ls = describeStyle(lefts);
  const rs = describeStyle(rights);
  const [l0, r0] = pairs[0] ?? ['field', 'Field'];
  const goTag = `\`json:"${l0}"\``;
  if (rs === 'PascalCase' && ls !== 'PascalCase') {
    return {
      cause: `Go struct fields without json tags: encoding/json uses the exported Go field name (${r0}) where serde uses the Rust field name (${l0})`,
      hint: `add json tags on the Go struct (${goTag}), or \`#[serde(rename_all = "PascalCase")]\` on the Rust struct`,
    };
  }
  if (ls === 'PascalCase' && rs !== 'PascalCase') {
    return {
      cause: `Go struct fields without json tags on the left: encoding/json uses the exported Go field name (${l0}) where serde uses the Rust field name (${r0})`,
      hint: `add json tags on the Go struct (\`json:"${r0}"\`), or \`#[serde(rename_all = "PascalCase")]\` on the Rust struct`,
    };
  }
  const rename = serdeRenameAllFor(r0);
  return {
    cause: `field names are ${ls} on the left and ${rs} on the right: a serde \`rename_all\` and the Go json tags disagree`,
    hint: `align the names: ${goTag} tags on the Go struct, or ${rename ? `\`#[serde(rename_all = "${rename}")]\`` : '`#[serde(rename = "…")]`'} on the Rust struct`,
  };
}

const KIND_NAMES: Record<JsonKind, string> = {
  null: 'null',
  boolean: 'boolean',
  number: 'number',
  string: 'string',
  array: 'array',
  object: 'object',
};

function explainTypeChange(left: JsonValue | undefined, right: JsonValue | undefined): Explanation {
  if (left === undefined || right === undefined) return generic('value');
  const lk = kindOf(left);
  const rk = kindOf(right);
  const pair = new Set([lk, rk]);
  const str = lk === 'string' ? left : rk === 'string' ? right : undefined;
  if (pair.has('number') && typeof str === 'string' && /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(str.trim())) {
    return {
      cause: 'a number encoded as a JSON string on one side: Go `json:",string"`, or serde `#[serde(with = …)]` / `serde_with::DisplayFromStr` (often used to keep 64-bit ids safe for JavaScript)',
      hint: 'drop `,string` from the Go json tag or the `#[serde(with = …)]` adapter on the Rust field — or add the same one on the other side',
    };
  }
  if (pair.has('string') && pair.has('array')) {
    const arr = (lk === 'array' ? left : right) as JsonValue[];
    if (arr.every((e) => kindOf(e) === 'number')) {
      return {
        cause: 'bytes: Go encodes `[]byte` as a base64 string, serde serialises `Vec<u8>` as an array of numbers',
        hint: 'base64-encode on the Rust side (`serde_with::base64::Base64` or a custom `serialize_with`), or use `[]int`/a custom MarshalJSON in Go',
      };
    }
  }
  if (pair.has('null')) {
    const present = (lk === 'null' ? right : left) as JsonValue;
    // Only a zero value on the other side is evidence of Option::None vs a Go zero value.
    if (isZeroValue(present)) {
      return {
        cause: `null on one side, the ${KIND_NAMES[kindOf(present)]} zero value ${zeroText(present)} on the other: Rust \`Option::None\` vs a Go zero value, or a nil Go pointer vs a Rust default`,
        hint: 'use a pointer with omitempty in Go (`*T`) to express absence, or a non-Option field with `#[serde(default)]` in Rust, so both agree',
      };
    }
    return {
      cause: `null on one side, a non-zero ${KIND_NAMES[kindOf(present)]} on the other: the value is unset in one implementation and set in the other (a lookup, default or error path that differs)`,
      hint: 'compare how the Rust and Go handlers fill this field for this request',
    };
  }
  if (pair.has('object') && pair.has('array')) {
    return {
      cause: 'object vs array: serde writes tuples/tuple structs as arrays and maps as objects; the Go side may use a struct where Rust has a tuple, or a slice of pairs where Rust has a map',
      hint: 'use a named-field struct (or a map) in Rust, or a map/custom MarshalJSON in Go, so both emit the same container',
    };
  }
  if (pair.has('string') && (pair.has('object') || pair.has('array'))) {
    return {
      cause: 'a structured value flattened to a string on one side: a `Display`/`String()` impl, or pre-encoded JSON (`json.RawMessage` vs `String`, double encoding)',
      hint: 'emit the structure itself: `serde_json::value::RawValue`/`json.RawMessage` instead of a string holding JSON',
    };
  }
  return {
    cause: `${KIND_NAMES[lk]} on the left, ${KIND_NAMES[rk]} on the right: the field's type differs between the Rust and Go models (or a custom Serialize/MarshalJSON)`,
    hint: 'align the field type in the Rust struct and the Go struct; check custom `Serialize`/`MarshalJSON` impls on the path',
  };
}

function explainOneSided(cls: 'missing-field' | 'extra-field', present: JsonValue | undefined): Explanation {
  const side = cls === 'missing-field' ? 'left' : 'right';
  const other = cls === 'missing-field' ? 'right' : 'left';
  if (present !== undefined && isZeroValue(present)) {
    return {
      cause: `only the ${side} emits this zero/empty value: Go \`omitempty\` drops "", 0, false and empty slices/maps, serde \`skip_serializing_if\` drops what its predicate says`,
      hint: 'make both emit or both omit: remove `omitempty` from the Go json tag, or add/remove `#[serde(skip_serializing_if = "…")]` on the Rust field',
    };
  }
  return {
    cause: `field exists only on the ${side}: not in the ${other} implementation's struct, skipped (\`json:"-"\` / \`#[serde(skip)]\`), renamed beyond recognition, or flattened differently (\`#[serde(flatten)]\` vs Go embedding)`,
    hint: `add the field to the ${other} side's struct with the same name (Go json tag / \`#[serde(rename = "…")]\`), or drop it from the ${side} side if it is not part of the contract`,
  };
}

function zeroText(v: JsonValue): string {
  if (v === '') return '""';
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'object' && v !== null && kindOf(v) === 'object') return '{}';
  return kindOf(v) === 'number' ? '0' : String(v);
}

function explainArrayShape(lengths: [number, number], elements?: [string, string], members?: [number, number]): Explanation {
  if (elements && lengths[0] === lengths[1]) {
    return {
      cause: `element types differ (${elements[0]} vs ${elements[1]}): e.g. \`Vec<u64>\` vs \`[]string\`, or nullable elements on one side (\`[]*T\` with nil vs \`Vec<T>\`)`,
      hint: 'align the element type of the Rust Vec and the Go slice',
    };
  }
  if (members && lengths[0] === lengths[1]) {
    return {
      cause: `same length, different members (${members[0]} only on the left, ${members[1]} only on the right): filtering, sorting before a limit, or the data source differs`,
      hint: 'compare how the Rust and Go handlers select and limit the elements of this list',
    };
  }
  if (lengths[0] === 0 || lengths[1] === 0) {
    return {
      cause: `one side returned no elements (${lengths[0]} vs ${lengths[1]}): a filter, default or error path that only one implementation takes`,
      hint: 'replay the request against both and compare the query/filter defaults in the Rust and Go handlers',
    };
  }
  return {
    cause: `different element count (${lengths[0]} vs ${lengths[1]}): default page size/limit, filtering or de-duplication differs`,
    hint: 'compare list defaults (limit/offset, filters, dedup, inclusive/exclusive bounds) between the Rust and Go handlers',
  };
}

function explainNumberRepr(why: NumberReprWhy): Explanation {
  switch (why) {
    case 'trailing-zero':
      return {
        cause: 'same number, one side writes a fraction: serde_json prints whole f64 values as `1.0`, Go encoding/json prints float64 1 as `1` (or an integer type on one side)',
        hint: 'use an integer type (u64/i64, int64) if the field is integral; otherwise accept it as representation-only or compare numerically',
      };
    case 'exponent':
      return {
        cause: 'same number, different notation: Go encoding/json switches to exponent form below 1e-6 and from 1e21 (`1e+21`), serde_json (ryu) uses its own shortest form',
        hint: 'compare numerically (representation-only), or format with a fixed-precision serializer on both sides if the text matters',
      };
    case 'truncated':
      return {
        cause: 'integer vs fraction that agree to within one unit (truncated or rounded): whole seconds/millis on one side (`as_secs()`, `t.Unix()`) and fractional ones on the other (`as_secs_f64()`, `float64(t.UnixNano())/1e9`)',
        hint: 'agree on unit and type for the field (e.g. integer seconds via `Duration::as_secs` and `t.Unix()`), or set numericTolerance if sub-unit precision is noise',
      };
    case 'integer-vs-fraction':
      return {
        cause: 'an integer on one side and a fraction on the other, and the values differ beyond truncation: an integer type on one side (rounding or truncating) and a float on the other, or a different computation',
        hint: 'agree on the field type (integer or float) in the Rust and Go models; the representation difference is the divergence whatever the values',
      };
    case 'lexeme':
      return {
        cause: 'same number, different text (trailing zeros or precision formatting): a fixed-precision format on one side (`{:.2}` / `strconv.FormatFloat(f, \'f\', 2, 64)`)',
        hint: 'emit numbers with the default encoders on both sides, or accept as representation-only',
      };
  }
}

function explainValueChange(why: 'float32' | 'value' | 'timestamp-format' | 'name-case', left?: JsonValue, right?: JsonValue): Explanation {
  switch (why) {
    case 'float32':
      return {
        cause: 'values agree at float32 precision: one side stores the field as `f32`/`float32` and widens it (e.g. 0.1 → 0.10000000149011612)',
        hint: 'use f64/float64 on both sides, or set numericTolerance (rel ≈ 1e-7) if single precision is intended',
      };
    case 'timestamp-format':
      return {
        cause: 'same instant, different RFC 3339 text: chrono prints a fixed number of fractional digits (or +00:00), Go `time.RFC3339Nano` trims trailing zeros and prints Z',
        hint: 'format both with the same layout (chrono `to_rfc3339_opts(SecondsFormat::Millis, true)` and Go `"2006-01-02T15:04:05.000Z07:00"`), or treat the path as a timestamp in the noise model',
      };
    case 'name-case':
      return {
        cause: 'same word in a different case/separator: an enum variant name — serde writes the Rust variant (or its `rename_all` form), Go a string constant',
        hint: 'add `#[serde(rename_all = "…")]` on the Rust enum, or change the Go constant to the same spelling',
      };
    case 'value':
      return generic(typeof left === 'boolean' || typeof right === 'boolean' ? 'boolean' : 'value');
  }
}

function generic(what: 'boolean' | 'value'): Explanation {
  return what === 'boolean'
    ? { cause: 'boolean differs: a default or a condition differs between the implementations', hint: 'compare the Rust and Go logic that sets this flag, including defaults for absent input' }
    : {
        cause: 'same type, different value: the implementations compute or look up this field differently',
        hint: 'compare the Rust and Go logic for this field; if it is volatile (ids, timestamps, durations) add an ignore or format rule instead',
      };
}
