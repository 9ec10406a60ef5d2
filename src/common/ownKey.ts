/**
 * Sets `key` as an own, enumerable property of `target`, whatever the key is. A plain `target[key] = value` with
 * the key `__proto__` (an ordinary own key of an object from `JSON.parse`, and sent on as such) sets the
 * target's prototype instead, so the key would vanish from what is shown, kept or sent.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  // Only `__proto__` needs the definition: for any other key of a plain object, assignment makes the same own
  // property, at a third of the cost (the history copies every argument of every call by key).
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
