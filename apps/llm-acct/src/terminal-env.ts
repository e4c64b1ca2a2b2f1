/** Variables that make Ink (via is-in-ci) print only the final frame instead of a live screen. */
const CI_FLAGS = ["CI", "CONTINUOUS_INTEGRATION"] as const;

/**
 * Drop the CI flags so Ink draws the interactive screen: the dashboard only starts on a real
 * terminal, and someone at a terminal in a CI-flagged shell (or a test driving tmux) still wants
 * it live; and run React in production mode. Must run before `ink` is first imported, because
 * is-in-ci and React read these at load time.
 */
export function allowLiveRendering(env: NodeJS.ProcessEnv): void {
  for (const flag of CI_FLAGS) delete env[flag];
  // React reads NODE_ENV when first loaded: unset (or a shell's "development") it runs its
  // development build, several times slower per frame and keeping debug data for every render.
  env.NODE_ENV = "production";
}
