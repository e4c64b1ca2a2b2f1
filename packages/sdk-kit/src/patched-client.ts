/** An SDK method, typed loosely: patches check what they receive. */
export type SdkMethod = (...args: unknown[]) => unknown;

/** Builds the tracked version of one SDK method from the original (bound to its resource). */
export type MethodPatch = (original: SdkMethod) => SdkMethod;

/** Which resources and methods of a client to replace: `{ chat: { completions: { create: patch } } }`. */
export interface PatchTree {
  readonly [key: string]: PatchTree | MethodPatch;
}

/**
 * A view of an SDK client in which the methods named in `tree` are replaced, without changing the
 * client itself. Other methods of patched resources run with the view as `this`, so the SDK's own
 * helpers (`parse`, `stream`, tool runners), which call back through `this._client`, reach the
 * patched methods too. `withOptions()` copies are wrapped again with `rewrap`.
 */
export function patchedClient<Client extends object>(client: Client, tree: PatchTree, rewrap: (copy: object) => object): Client {
  const root: { view?: object } = {};
  root.view = resourceView(client, tree, root, rewrap, true);
  return root.view as Client;
}

function resourceView(target: object, tree: PatchTree, root: { view?: object }, rewrap: (copy: object) => object, isClient: boolean): object {
  // Cached so a property reads the same function or resource every time (stable identity).
  const cache = new Map<PropertyKey, { source: unknown; value: unknown }>();
  const view: object = new Proxy(target, {
    get(resource, property) {
      if (!isClient && property === "_client") return root.view;
      const source: unknown = Reflect.get(resource, property, resource);
      const cached = cache.get(property);
      if (cached && cached.source === source) return cached.value;
      const value = viewOf(resource, property, source);
      if (value !== source) cache.set(property, { source, value });
      return value;
    },
  });

  function viewOf(resource: object, property: PropertyKey, source: unknown): unknown {
    const patch = typeof property === "string" && Object.hasOwn(tree, property) ? tree[property] : undefined;
    if (typeof source === "function" && property !== "constructor") {
      const method = source as SdkMethod;
      if (typeof patch === "function") return patch(method.bind(resource));
      if (isClient && property === "withOptions") return (...args: unknown[]) => rewrap(method.apply(resource, args) as object);
      // The client keeps private (#) state, so its methods run on it; resources run on the view.
      return isClient ? method.bind(resource) : (...args: unknown[]) => method.apply(view, args);
    }
    if (patch !== undefined && typeof patch === "object" && typeof source === "object" && source !== null) {
      return resourceView(source, patch, root, rewrap, false);
    }
    return source;
  }

  return view;
}
