// Module resolve hook (node:module register): adds the `source` export condition, as
// `node --conditions=source` would, for bin/topk.mjs running from TypeScript sources.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('source')
    ? context.conditions
    : ['source', ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
