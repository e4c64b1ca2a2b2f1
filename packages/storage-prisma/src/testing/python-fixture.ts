import Database from "better-sqlite3";

/**
 * The on-disk schema the Python llm-accounting 0.1.34 creates on SQLite (its alembic migration
 * chain up to e5f6c7a8d9b0), as SQLAlchemy and alembic write it. For import tests.
 */
export const PYTHON_SQLITE_SCHEMA = `CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
CREATE TABLE accounting_entries (
  id INTEGER NOT NULL,
  timestamp DATETIME NOT NULL,
  model VARCHAR NOT NULL,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  total_tokens INTEGER,
  local_prompt_tokens INTEGER,
  local_completion_tokens INTEGER,
  local_total_tokens INTEGER,
  project VARCHAR,
  cost FLOAT NOT NULL,
  execution_time FLOAT NOT NULL,
  caller_name VARCHAR,
  username VARCHAR,
  cached_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  notes VARCHAR,
  session VARCHAR,
  PRIMARY KEY (id)
);
CREATE TABLE usage_limits (
  id INTEGER NOT NULL,
  scope VARCHAR NOT NULL,
  limit_type VARCHAR NOT NULL,
  max_value FLOAT NOT NULL,
  interval_unit VARCHAR NOT NULL,
  interval_value INTEGER NOT NULL,
  model VARCHAR,
  username VARCHAR,
  caller_name VARCHAR,
  project_name VARCHAR,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT _unique_limit_constraint UNIQUE (scope, limit_type, model, username, caller_name, project_name)
);
CREATE INDEX ix_usage_limits_project_name ON usage_limits (project_name);
CREATE INDEX ix_usage_limits_model ON usage_limits (model);
CREATE INDEX ix_usage_limits_username ON usage_limits (username);
CREATE INDEX ix_usage_limits_caller_name ON usage_limits (caller_name);
CREATE TABLE audit_log_entries (
  id INTEGER NOT NULL,
  timestamp DATETIME NOT NULL,
  app_name VARCHAR NOT NULL,
  user_name VARCHAR NOT NULL,
  model VARCHAR NOT NULL,
  prompt_text VARCHAR,
  response_text VARCHAR,
  remote_completion_id VARCHAR,
  project VARCHAR,
  log_type VARCHAR NOT NULL,
  session VARCHAR,
  PRIMARY KEY (id)
);
CREATE TABLE projects (id INTEGER NOT NULL, name VARCHAR NOT NULL, PRIMARY KEY (id), UNIQUE (name));
CREATE TABLE users (
  id INTEGER NOT NULL,
  user_name VARCHAR(255) NOT NULL,
  ou_name VARCHAR(255),
  email VARCHAR(255),
  created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
  last_enabled_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
  last_disabled_at DATETIME,
  enabled BOOLEAN DEFAULT '1' NOT NULL,
  PRIMARY KEY (id),
  UNIQUE (user_name)
);
CREATE TABLE quota_rejections (id INTEGER NOT NULL, created_at DATETIME NOT NULL, session VARCHAR NOT NULL, rejection_message VARCHAR NOT NULL, PRIMARY KEY (id));
INSERT INTO alembic_version (version_num) VALUES ('e5f6c7a8d9b0');
`;

/** A prompt text with quotes, commas and a newline, as stored in the fixture's audit log. */
export const TRICKY = 'He said "hi",\nthen: a, b, c';

/** Usage rows in the Python formats (UTC-naive text, float cost, nulls), `count` usage rows from `first`. */
export function pythonRows(first: number, count: number) {
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    const second = String(i % 60).padStart(2, "0");
    return [i, `2025-01-0${1 + (i % 9)} 10:00:${second}.123456`, i % 3 ? "gpt-4" : "claude", i % 5 ? 100 : null, 50, i % 7 ? 150 : 0, null, null, null, i % 4 ? "proj" : null, 0.0001, 1.5, "app", i % 2 ? "ann" : null, 3, 1, null, i % 10 ? null : "s1"];
  });
}

export function createPythonFixture(file: string, rows: number): void {
  const db = new Database(file);
  db.exec(PYTHON_SQLITE_SCHEMA);
  const insert = db.prepare("INSERT INTO accounting_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  db.transaction(() => pythonRows(1, rows).forEach((r) => insert.run(r)))();
  db.exec(`
    INSERT INTO usage_limits VALUES (1, 'USER', 'cost', 5.0, 'monthly', 1, NULL, 'ann', NULL, NULL, '2025-01-01T10:00:00.123456+00:00', '2025-01-01T10:00:00.123456+00:00');
    INSERT INTO usage_limits VALUES (2, 'PROJECT', 'requests', 100.0, 'day_rolling', 2, NULL, NULL, NULL, NULL, '2025-01-02T10:00:00+00:00', '2025-01-02T10:00:00+00:00');
    INSERT INTO projects VALUES (1, 'proj'), (2, 'other');
    INSERT INTO users VALUES (1, 'ann', 'R&D', 'ann@example.com', '2024-12-01 08:00:00', '2024-12-01 08:00:00', NULL, 1);
    INSERT INTO users VALUES (2, 'bob', NULL, NULL, '2024-12-02 08:00:00', '2024-12-02 08:00:00', NULL, 0);
    INSERT INTO quota_rejections VALUES (1, '2025-01-03 09:00:00.000001', 's1', 'GLOBAL limit: 1.00 requests per 1 minute exceeded. Current usage: 1.00, request: 1.00.');
  `);
  const audit = db.prepare("INSERT INTO audit_log_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  audit.run(1, "2024-01-15T10:30:00+00:00", "chat", "ann", "gpt-4", TRICKY, null, null, "proj", "prompt", null);
  audit.run(2, "2024-01-15T12:30:00+02:00", "chat", "ann", "gpt-4", null, "fine", "cmpl-1", null, "response", "s1");
  db.close();
}

