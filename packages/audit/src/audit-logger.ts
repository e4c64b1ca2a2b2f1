import { checkOptionalName, checkStorableName, checkStorableText, parseInstant, SHORT_TEXT_MAX_LENGTH, ValidationError, type AuditEntry, type AuditFilter, type AuditStore, type InstantInput, type NewAuditEntry } from "@llm-accounting/core";

/** Who and what an audit entry is about. */
export interface AuditContext {
  appName: string;
  userName: string;
  model: string;
  project?: string | null;
  session?: string | null;
  /** When it happened; defaults to now. */
  timestamp?: InstantInput | null;
}

/** An event of any type, with optional prompt/response text. */
export interface AuditEvent extends AuditContext {
  /** Free text; `prompt`, `response` and `event` by convention. */
  logType: string;
  promptText?: string | null;
  responseText?: string | null;
  remoteCompletionId?: string | null;
}

/** Masks text before it is stored, e.g. to drop e-mail addresses or keys from prompts. */
export type Redactor = (text: string, field: "promptText" | "responseText", entry: Readonly<AuditEvent>) => string;

/** Options of an `AuditLogger`. */
export interface AuditLoggerOptions {
  /** Applied to prompt and response text before storage. */
  readonly redact?: Redactor;
  /** The clock; inject one in tests. */
  readonly now?: () => Date;
}

/** Query options of `getEntries`: the store's filter, with instants as Date or ISO-8601 strings. */
export type AuditQuery = Omit<AuditFilter, "start" | "end"> & { start?: InstantInput; end?: InstantInput };

/**
 * Records prompts, responses and other events of LLM calls in an audit store (which may be a
 * different store from the usage one), optionally redacting text on the way in.
 */
export class AuditLogger {
  readonly store: AuditStore;
  readonly #redact: Redactor | undefined;
  readonly #now: () => Date;
  #opened: Promise<void> | undefined;

  constructor(store: AuditStore, options: AuditLoggerOptions = {}) {
    this.store = store;
    this.#redact = options.redact;
    this.#now = options.now ?? (() => new Date());
  }

  /** Records an event of any type; returns the stored entry. */
  async logEvent(event: AuditEvent): Promise<AuditEntry> {
    const entry = this.#entry(event);
    await this.#open();
    return { id: await this.store.insertAuditEntry(entry), ...entry };
  }

  /** Records a prompt sent to a model. */
  logPrompt(context: AuditContext, promptText: string): Promise<AuditEntry> {
    return this.logEvent({ ...context, logType: "prompt", promptText });
  }

  /** Records a model's response. */
  logResponse(context: AuditContext, responseText: string, remoteCompletionId?: string | null): Promise<AuditEntry> {
    return this.logEvent({ ...context, logType: "response", responseText, remoteCompletionId: remoteCompletionId ?? null });
  }

  /** Entries matching the query, newest first. */
  async getEntries(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const { start, end, ...rest } = query;
    if (rest.limit !== undefined && (!Number.isSafeInteger(rest.limit) || rest.limit < 0)) {
      throw new ValidationError("limit", `must be a non-negative integer (got ${rest.limit})`);
    }
    const filter: AuditFilter = {
      ...rest,
      ...(start !== undefined && { start: parseInstant(start, "start") }),
      ...(end !== undefined && { end: parseInstant(end, "end") }),
    };
    await this.#open();
    return this.store.listAuditEntries(filter);
  }

  /** Closes the underlying store. */
  async close(): Promise<void> {
    this.#opened = undefined;
    await this.store.close();
  }

  #open(): Promise<void> {
    this.#opened ??= this.store.open().catch((error: unknown) => {
      this.#opened = undefined;
      throw error;
    });
    return this.#opened;
  }

  #entry(event: AuditEvent): NewAuditEntry {
    for (const field of ["appName", "userName", "model", "logType"] as const) {
      if (typeof event[field] !== "string" || event[field].trim() === "") throw new ValidationError(field, "must be a non-empty string");
      checkStorableName(event[field], field);
    }
    // Checked after redaction: what is stored is what must fit.
    const text = (value: string | null | undefined, field: "promptText" | "responseText") =>
      value == null ? null : checkStorableText(this.#redact ? this.#redact(value, field, event) : value, field);
    return {
      timestamp: event.timestamp == null ? this.#now() : parseInstant(event.timestamp, "timestamp"),
      appName: event.appName,
      userName: event.userName,
      model: event.model,
      promptText: text(event.promptText, "promptText"),
      responseText: text(event.responseText, "responseText"),
      remoteCompletionId: checkOptionalName(event.remoteCompletionId ?? null, "remoteCompletionId", SHORT_TEXT_MAX_LENGTH),
      project: checkOptionalName(event.project ?? null, "project"),
      logType: event.logType,
      session: checkOptionalName(event.session ?? null, "session"),
    };
  }
}
