#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded on offline machines.
# `prisma generate` never runs it; any command that would gets one clean JSON-RPC error.
read -r _line
echo '{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"The native schema engine is not installed; use tooling/scripts/migration-sql.mjs","data":{"is_panic":false,"message":"The native schema engine is not installed","meta":null,"error_code":null}}}'
exit 1
