import type { Explanation, Reason } from './explain.ts';
import { isZeroValue } from './json.ts';
import { kindOf, type JsonValue } from './types.ts';

/**
 * Causes and hints for a pair of runtimes that are not declared Rust and Go (two web servers, two
 * Java services…): the same evidence, told without naming serde, encoding/json or axum.
 */
export function explainNeutral(reason: Reason, left: JsonValue | undefined, right: JsonValue | undefined): Explanation {
  switch (reason.class) {
    case 'key-case': {
      const [l0, r0] = reason.pairs[0] ?? ['field', 'Field'];
      return {
        cause: `the same fields are named differently (${l0} vs ${r0}): the two implementations use different naming conventions`,
        hint: "align the field names in the two implementations' serialisers (a naming-convention setting or explicit names)",
      };
    }
    case 'null-vs-missing': {
      const nullSide = left === null ? 'left' : 'right';
      return {
        cause: `the ${nullSide} writes null where the ${nullSide === 'left' ? 'right' : 'left'} omits the key: the implementations treat an absent value differently`,
        hint: 'pick one contract for absent values (omit the key, or write null) and apply it in both implementations',
      };
    }
    case 'null-vs-empty':
      return {
        cause: `null on one side, an empty ${Array.isArray(left) || Array.isArray(right) ? 'array' : 'object'} on the other: one implementation writes an unset collection as null`,
        hint: 'initialise the collection in both implementations, or agree that null is the contract',
      };
    case 'type-change': {
      if (left === undefined || right === undefined) return compare('this field');
      const present = left === null ? right : right === null ? left : undefined;
      if (present !== undefined) {
        return isZeroValue(present)
          ? { cause: `null on one side, a ${kindOf(present)} zero value on the other: one implementation writes an unset value as null, the other as its type's default`, hint: 'agree on how an unset value is written (null, omitted, or the default) in both implementations' }
          : { cause: `null on one side, a non-zero ${kindOf(present)} on the other: the value is unset in one implementation and set in the other`, hint: "compare the two implementations' handlers for how this field is filled for this request" };
      }
      return {
        cause: `${kindOf(left)} on the left, ${kindOf(right)} on the right: the field's type differs between the implementations`,
        hint: "align the field's type in the two implementations' response models",
      };
    }
    case 'missing-field':
    case 'extra-field': {
      const side = reason.class === 'missing-field' ? 'left' : 'right';
      const present = side === 'left' ? left : right;
      return present !== undefined && isZeroValue(present)
        ? { cause: `only the ${side} emits this zero/empty value: one implementation omits empty values`, hint: 'make both emit or both omit empty values for this field' }
        : { cause: `the field exists only on the ${side}`, hint: `add the field to the other implementation, or drop it from the ${side} if it is not part of the contract` };
    }
    case 'array-shape':
      return reason.elements && reason.lengths[0] === reason.lengths[1]
        ? { cause: `element types differ (${reason.elements[0]} vs ${reason.elements[1]})`, hint: "align the element type of this list in the two implementations' models" }
        : { cause: `the lists differ in their elements (length ${reason.lengths[0]} vs ${reason.lengths[1]}): filtering, paging limits, de-duplication or the data source differ`, hint: "compare the two implementations' handlers for how this list is built (defaults, filters, bounds)" };
    case 'missing-element':
    case 'extra-element':
      return {
        cause: `this element exists only on the ${reason.class === 'missing-element' ? 'left' : 'right'}: the implementations select different elements`,
        hint: "compare the two implementations' handlers for how this list is built",
      };
    case 'number-repr':
      return reason.why === 'integer-vs-fraction' || reason.why === 'truncated'
        ? { cause: 'an integer on one side and a fraction on the other: the field has an integer type in one implementation and a float in the other (or a different unit)', hint: 'agree on the type and unit of this field in both implementations' }
        : { cause: 'same number, different text (trailing zeros, exponent or precision): the number formatters differ', hint: 'compare numerically if the text is not part of the contract, or format the same way in both' };
    case 'value-change':
      if (reason.why === 'timestamp-format') return { cause: 'same instant, different timestamp text (fraction digits or zone designator)', hint: 'format timestamps with the same layout in both implementations, or treat the path as a timestamp in the noise model' };
      if (reason.why === 'float32') return { cause: 'values agree at single precision: one implementation stores the field as a 32-bit float', hint: 'use double precision in both, or set numericTolerance if single precision is intended' };
      if (reason.why === 'name-case') return { cause: 'same word in a different case or separator: the implementations spell this value differently', hint: 'agree on the spelling of this value in both implementations' };
      return compare('this field');
    case 'array-order':
      return reason.unstable
        ? { cause: 'the order changes between identical requests to the same runtime: the list is built by iterating an unordered collection (a hash map or set)', hint: 'sort before serialising, or list the path in unorderedPaths if order is not part of the contract' }
        : { cause: 'same elements in a different order: an unordered collection leaking into a list, or a query without ORDER BY', hint: 'sort before serialising in both implementations, or list the path in unorderedPaths if order is not part of the contract' };
  }
}

function compare(what: string): Explanation {
  return {
    cause: `same type, different value: the implementations compute or look up ${what} differently`,
    hint: "compare the two implementations' handlers for this field; if it is volatile (ids, timestamps, durations) add an ignore or format rule instead",
  };
}
