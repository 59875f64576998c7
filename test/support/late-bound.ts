/**
 * A stand-in for an object a hook makes later (a server started in beforeAll, say), so a test file can
 * name it at the top: every property read goes to the current object, and fails clearly before it exists.
 */
export function lateBound<T extends object>(what: string, current: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_stand_in, property) {
      const target = current();
      if (!target) throw new Error(`${what} is only there once its beforeAll/beforeEach has run`);
      const value: unknown = Reflect.get(target, property, target);
      // Methods run on the real object (its private fields are not on the stand-in).
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
