// CPU seconds of local workerd processes, from /proc (Linux only): what aead-workerd-cpu.mjs and ab-workerd-cpu.mjs
// time a request by. On a shared machine a request's wall time includes whatever else ran meanwhile; the CPU time
// of the process that served it does not.
import { readdirSync, readFileSync } from "node:fs";

const TICK = 100; // USER_HZ: /proc reports CPU time in 1/100 s

/** The fields of /proc/PID/stat after the command name (field 3 onwards), or null when the process is gone. */
function statFields(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    return { name: s.slice(s.indexOf("(") + 1, s.lastIndexOf(")")), f: s.slice(s.lastIndexOf(")") + 2).split(" ") };
  } catch {
    return null; // gone meanwhile
  }
}

/** Our child processes named workerd (Miniflare spawns one per instance). */
export function workerdChildren() {
  return new Set(readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    const s = statFields(p);
    return s !== null && s.name === "workerd" && Number(s.f[1]) === process.pid;
  }));
}

/** CPU seconds (user + system) used so far by the processes. */
export function cpuSeconds(pids) {
  let t = 0;
  for (const p of pids) {
    const s = statFields(p);
    if (s === null) throw new Error(`workerd process ${p} is gone: its CPU time cannot be read`);
    t += Number(s.f[11]) + Number(s.f[12]); // utime, stime (fields 14 and 15 of stat)
  }
  return t / TICK;
}
