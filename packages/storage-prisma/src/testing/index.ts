export { createTestDatabase, TEST_POSTGRES_URL } from "./test-database.js";
export { createPythonFixture, PYTHON_SQLITE_SCHEMA, pythonRows, TRICKY } from "./python-fixture.js";
export { freshSqlStores, type FreshSqlStores } from "./fresh-stores.js";
export { sqliteCaseFiles, resettableTestDatabase, type SqliteCaseFiles, type ResettableTestDatabase } from "./case-stores.js";
export { olderSqliteDatabase } from "./older-database.js";
