/** SQLSTATEs after which PostgreSQL has rolled the transaction back and a retry may succeed. */
const RETRYABLE = new Set(["40P01" /* deadlock_detected */, "40001" /* serialization_failure */]);

/**
 * Runs a whole transaction again when PostgreSQL aborted it as a deadlock victim. Concurrent
 * batches update the same rollup rows (via triggers) in their own order, so two of them can
 * wait on each other; the aborted one wrote nothing, and retrying it is the documented remedy.
 */
export async function retryConflicts<T>(transaction: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= attempts || typeof code !== "string" || !RETRYABLE.has(code)) throw error;
      // Jittered backoff so the two victims do not collide again in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
