import { createHash } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

/** Who holds a CSV directory lock, as recorded in the lock itself. */
export interface LockOwner {
  readonly pid: number;
  /** The process's start time in clock ticks since boot (Linux), "-" where unknown: tells a reused pid apart. */
  readonly started: string;
  /** The kernel boot and pid namespace the pid belongs to, hashed, "-" where unknown. */
  readonly machine: string;
  /** When the lock was taken (ms since the epoch). */
  readonly since: number;
  readonly host: string;
}

/** Process `pid` as /proc shows it: its state letter and start time in clock ticks since boot ("-" where unknown). */
function processStat(pid: number): { state: string; started: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "-", started: fields[19] ?? "-" };
  } catch {
    return { state: "-", started: "-" };
  }
}

// A pid means the same process only within one boot of one kernel and one pid namespace (two
// containers may share a host name and a directory, each with its own pid 1).
function machineId(): string {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const namespace = readlinkSync("/proc/self/ns/pid");
    return createHash("sha256").update(`${boot} ${namespace}`).digest("hex").slice(0, 8);
  } catch {
    return "-";
  }
}

let self: { machine: string; started: string } | undefined;

/** This process as a lock owner taking the lock at `now`. */
export function currentOwner(now: number): LockOwner {
  self ??= { machine: machineId(), started: processStat(process.pid).started };
  return { pid: process.pid, started: self.started, machine: self.machine, since: now, host: hostname() };
}

/** The owner as the short text a lock records (kept short so a symlink holds it without a data block). */
export function formatOwner(owner: LockOwner): string {
  return `${owner.pid}.${owner.started}.${owner.machine}.${owner.since.toString(36)}@${owner.host}`;
}

/** The owner a lock records, or null for text this module did not write. */
export function parseOwner(text: string): LockOwner | null {
  const match = /^(\d+)\.(\d+|-)\.([0-9a-f]{8}|-)\.([0-9a-z]+)@(.*)$/s.exec(text);
  if (!match) return null;
  return { pid: Number(match[1]), started: match[2]!, machine: match[3]!, since: parseInt(match[4]!, 36), host: match[5]! };
}

/** Whether `owner`'s pid is a pid of this machine: same host name, and same boot and pid namespace where /proc tells. */
export function onThisMachine(owner: LockOwner): boolean {
  const here = currentOwner(0);
  return owner.host === here.host && owner.machine === here.machine;
}

/**
 * Whether `owner` is certainly gone: true when it ran on this machine (same host name, and same
 * boot and pid namespace where /proc tells) and its pid is not alive, is a zombie, or is alive but
 * started at another time (a reused pid). False when it may be alive, including every owner on
 * another machine (a network file system), which only the lock's age can judge.
 */
export function ownerIsDead(owner: LockOwner): boolean {
  if (!onThisMachine(owner)) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  const now = processStat(owner.pid);
  return now.state === "Z" || (owner.started !== "-" && now.started !== "-" && now.started !== owner.started);
}
