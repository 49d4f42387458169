#!/usr/bin/env node
// Local test infrastructure for Tillgate: a real single-node Apache Kafka
// broker (KRaft, combined broker+controller, loopback only) started from the
// Apache jars fetched with Maven, and a PostgreSQL database.
//
//   node tools/infra/infra.mjs up [kafka] [postgres] [--json] [--quiet]
//   node tools/infra/infra.mjs down [kafka] [postgres]
//   node tools/infra/infra.mjs status [--json]
//   node tools/infra/infra.mjs env [--export]
//
// Importable too: `const env = await up()` returns
// { KAFKA_BROKERS, DATABASE_URL }. See tools/infra/README.md.
//
// Plain Node.js ESM, node: built-ins only (plus kafkajs and pg from the root
// node_modules, loaded lazily).

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
const require = createRequire(import.meta.url);

/** Kafka version used unless TILLGATE_KAFKA_VERSION says otherwise. */
export const DEFAULT_KAFKA_VERSION = '4.4.0';
/** log4j2 backend pinned next to Kafka 4.x (the version Kafka 4.4.0 itself resolves). */
const LOG4J2_VERSION = '2.25.5';
/** Logging backend for Kafka 3.x (what its distribution ships). */
const RELOAD4J_VERSION = '1.2.25';
const SLF4J1_VERSION = '1.7.36';
/** Pinned so the fetch does not depend on Maven's plugin-version guess. */
const DEPENDENCY_PLUGIN_VERSION = '3.8.1';

const PROBE_TOPIC = 'tillgate-infra-probe';
const DEFAULT_KAFKA_PORT = 19092;
const DEFAULT_PG_DATABASE = 'tillgate_test';

const JAVA_HINT =
  'Java 17+ is needed for the local Kafka broker: install a JDK (apt-get install openjdk-17-jre-headless) or set KAFKA_BROKERS to an existing broker.';
const MAVEN_HINT =
  'Maven is needed once to fetch the Kafka jars: install it (apt-get install maven) or set KAFKA_BROKERS to an existing broker.';

export class InfraError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InfraError';
  }
}

// ---------------------------------------------------------------------------
// configuration

/** Resolved settings for one call; `env` defaults to process.env. */
export function config(env = process.env) {
  const cacheDir = path.resolve(nonEmpty(env.TILLGATE_CACHE_DIR) ?? path.join(REPO_ROOT, '.cache'));
  const stateDir = path.resolve(
    nonEmpty(env.TILLGATE_INFRA_STATE_DIR) ?? path.join(cacheDir, 'run'),
  );
  const kafkaVersion = nonEmpty(env.TILLGATE_KAFKA_VERSION) ?? DEFAULT_KAFKA_VERSION;
  if (!/^\d+\.\d+\.\d+([.-][\w.-]+)?$/.test(kafkaVersion)) {
    throw new InfraError(
      `TILLGATE_KAFKA_VERSION=${kafkaVersion} is not a Kafka version like 4.4.0`,
    );
  }
  const kafkaHome = path.join(cacheDir, 'kafka', kafkaVersion);
  const kafkaRun = path.join(stateDir, 'kafka');
  const pgRun = path.join(stateDir, 'postgres');
  return {
    env,
    quiet: truthy(env.TILLGATE_INFRA_QUIET),
    cacheDir,
    stateDir,
    kafka: {
      version: kafkaVersion,
      major: Number(kafkaVersion.split('.')[0]),
      home: kafkaHome,
      libs: path.join(kafkaHome, 'libs'),
      pom: path.join(kafkaHome, 'pom.xml'),
      libsLock: path.join(kafkaHome, '.fetch.lock'),
      run: kafkaRun,
      stateFile: path.join(kafkaRun, 'state.json'),
      lock: path.join(kafkaRun, '.lock'),
      configFile: path.join(kafkaRun, 'server.properties'),
      logConfigFile: path.join(
        kafkaRun,
        Number(kafkaVersion.split('.')[0]) >= 4 ? 'log4j2.properties' : 'log4j.properties',
      ),
      logFile: path.join(kafkaRun, 'kafka.log'),
      port: nonEmpty(env.TILLGATE_KAFKA_PORT)
        ? parsePort(env.TILLGATE_KAFKA_PORT, 'TILLGATE_KAFKA_PORT')
        : null,
      heapOpts: nonEmpty(env.TILLGATE_KAFKA_HEAP_OPTS) ?? '-Xms32m -Xmx512m',
      jvmOpts: nonEmpty(env.TILLGATE_KAFKA_JVM_OPTS) ?? '',
      startTimeoutMs: positiveInt(env.TILLGATE_KAFKA_START_TIMEOUT_MS, 90_000),
    },
    pg: {
      run: pgRun,
      stateFile: path.join(pgRun, 'state.json'),
      lock: path.join(pgRun, '.lock'),
      dataDir: path.join(pgRun, 'data'),
      logFile: path.join(pgRun, 'postgres.log'),
      database: nonEmpty(env.TILLGATE_PG_DATABASE) ?? DEFAULT_PG_DATABASE,
    },
  };
}

function nonEmpty(v) {
  return v === undefined || v === null || String(v).trim() === '' ? undefined : String(v).trim();
}
function truthy(v) {
  return /^(1|true|yes|on)$/i.test(String(v ?? ''));
}
function positiveInt(v, fallback) {
  const n = Number(nonEmpty(v));
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
function parsePort(v, name) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new InfraError(`${name}=${v} is not a TCP port`);
  return n;
}

// ---------------------------------------------------------------------------
// small helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function makeLogger(cfg, opts = {}) {
  const quiet = opts.quiet ?? cfg.quiet;
  return (msg) => {
    if (!quiet) process.stderr.write(`[infra] ${msg}\n`);
  };
}

/** Repo-relative when inside the repo, else absolute. */
function displayPath(p) {
  const rel = path.relative(REPO_ROOT, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function secs(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function writeJsonAtomic(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

function rmrf(p) {
  fs.rmSync(p, { recursive: true, force: true });
}

function tail(file, lines = 40) {
  try {
    const buf = fs.readFileSync(file, 'utf8');
    return buf
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } catch {
    return '(no log)';
  }
}

/** Lines of interest (errors) from a log, else its tail. */
function logExcerpt(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return '(no log)';
  }
  const lines = text.split('\n');
  const bad = lines.filter((l) => /\b(ERROR|FATAL)\b|Exception|Error:/.test(l)).slice(-15);
  const last = lines.slice(-25);
  return (bad.length ? `${bad.join('\n')}\n  ...\n` : '') + last.join('\n').trimEnd();
}

/** Runs a command, capturing output; resolves { code, signal, stdout, stderr, error }. */
function run(cmd, args, { env, cwd, timeoutMs = 600_000, input } = {}) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(cmd, args, {
        env,
        cwd,
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', error });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout = (stdout + d).slice(-200_000)));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-200_000)));
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr, error });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, error: null });
    });
  });
}

/** Finds an executable in PATH (or extra dirs); returns its path or null. */
function which(name, extraDirs = [], env = process.env) {
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// processes

/** True when pid exists and is not a zombie. */
export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  return !(stat && stat.state === 'Z');
}

/** Parses /proc/<pid>/stat; null where /proc is missing. */
function procStat(pid) {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); pgrp is field 5, starttime field 22.
    return { state: rest[0], pgrp: Number(rest[2]), starttime: rest[19] };
  } catch {
    return null;
  }
}

/** The argv of a live process ([] when unreadable). */
function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** True when pid is the java kafka.Kafka process that runs `configFile`. */
function isOurKafka(pid, configFile, starttime) {
  if (!isAlive(pid)) return false;
  const argv = cmdline(pid);
  if (!argv.includes('kafka.Kafka') || !argv.includes(configFile)) return false;
  if (!/(^|\/)java$/.test(argv[0] ?? '')) return false;
  if (starttime) {
    const st = procStat(pid);
    if (st && st.starttime !== starttime) return false;
  }
  return true;
}

/** True when pid is a kafka-storage format tool run on `configFile` (left by a killed `up`). */
function isOurFormatTool(pid, configFile) {
  if (!isAlive(pid)) return false;
  const argv = cmdline(pid);
  return (
    /(^|\/)java$/.test(argv[0] ?? '') &&
    argv.includes('kafka.tools.StorageTool') &&
    argv.includes(configFile)
  );
}

/** Live java processes of ours on `configFile` (brokers and format tools), orphans included. */
function findOurKafkaPids(configFile) {
  let entries = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter(
      (pid) =>
        pid !== process.pid && (isOurKafka(pid, configFile) || isOurFormatTool(pid, configFile)),
    );
}

/**
 * Stops a process we started: SIGTERM to its process group (it is the group
 * leader: we spawned it detached), SIGCONT in case it was stopped, SIGKILL
 * after graceMs.
 */
async function stopProcess(pid, { graceMs = 20_000 } = {}) {
  const st = procStat(pid);
  const target = st && st.pgrp === pid ? -pid : pid; // whole group only when it is its own group
  const send = (sig) => {
    try {
      process.kill(target, sig);
    } catch {
      /* gone */
    }
  };
  send('SIGTERM');
  send('SIGCONT');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    send('SIGKILL');
    const hard = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < hard) await sleep(100);
  }
  return !isAlive(pid);
}

// ---------------------------------------------------------------------------
// locking (atomic create via link; stale when the holder's pid is gone)

const heldLocks = new Set();

async function withLock(lockFile, what, log, fn, timeoutMs = 15 * 60_000) {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const mine = `${lockFile}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(mine, String(process.pid));
  const deadline = Date.now() + timeoutMs;
  let told = false;
  try {
    for (;;) {
      try {
        fs.linkSync(mine, lockFile);
        break;
      } catch (e) {
        if (e.code !== 'EEXIST') throw e;
      }
      let holder;
      try {
        holder = Number(fs.readFileSync(lockFile, 'utf8').trim() || 0);
      } catch (e) {
        if (e.code === 'ENOENT') continue; // released meanwhile: try again
        throw e;
      }
      // Stale when its holder is gone, or is this very process without holding it (pid reuse).
      if (holder === process.pid ? !heldLocks.has(lockFile) : !isAlive(holder)) {
        // stale: its holder died. Remove it only if it still is that holder's.
        try {
          if (Number(fs.readFileSync(lockFile, 'utf8').trim()) === holder) fs.unlinkSync(lockFile);
        } catch {
          /* someone else cleaned it */
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new InfraError(
          `timed out waiting for the ${what} lock ${lockFile} held by pid ${holder}`,
        );
      }
      if (!told) {
        log(
          `${what}: waiting for ${holder === process.pid ? 'another call in this process' : `another infra process (pid ${holder})`} to finish`,
        );
        told = true;
      }
      await sleep(250);
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
  heldLocks.add(lockFile);
  try {
    return await fn();
  } finally {
    heldLocks.delete(lockFile);
    try {
      if (Number(fs.readFileSync(lockFile, 'utf8').trim()) === process.pid) fs.unlinkSync(lockFile);
    } catch {
      /* already gone */
    }
  }
}

// ---------------------------------------------------------------------------
// ports

function canListen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tcpAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

// ---------------------------------------------------------------------------
// Java and Maven

/** Finds java (JAVA_HOME first, then PATH) and checks its major version. */
async function findJava(env, minMajor) {
  const candidates = [];
  if (nonEmpty(env.JAVA_HOME)) candidates.push(path.join(env.JAVA_HOME, 'bin', 'java'));
  const inPath = which('java', [], env);
  if (inPath) candidates.push(inPath);
  let found = null;
  for (const bin of candidates) {
    const r = await run(bin, ['-version'], { env, timeoutMs: 30_000 });
    if (r.error || r.code !== 0) continue;
    const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}\n${r.stdout}`);
    if (!m) continue;
    const major = m[1] === '1' ? Number(m[2]) : Number(m[1]);
    if (major >= minMajor) return { bin, major };
    found = found ?? { bin, major };
  }
  if (!found && nonEmpty(env.JAVA_HOME) && !inPath) {
    throw new InfraError(`${JAVA_HINT} (JAVA_HOME=${env.JAVA_HOME} has no working bin/java)`);
  }
  if (found) {
    throw new InfraError(
      `Java ${minMajor}+ is needed for the local Kafka broker, but ${found.bin} is Java ${found.major}: install a JDK (apt-get install openjdk-17-jre-headless), point JAVA_HOME at it, or set KAFKA_BROKERS.`,
    );
  }
  throw new InfraError(JAVA_HINT);
}

function kafkaPom(version) {
  const major = Number(version.split('.')[0]);
  const dep = (g, a, v) =>
    `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  // kafka_2.13 (the broker, kafka.Kafka and kafka.tools.StorageTool) pulls
  // kafka-server, -metadata, -raft, -storage, the coordinators and
  // kafka-clients at runtime scope. What it leaves out is an SLF4J binding:
  // without one the broker logs nothing at all.
  const logging =
    major >= 4
      ? [
          dep('org.apache.logging.log4j', 'log4j-api', LOG4J2_VERSION),
          dep('org.apache.logging.log4j', 'log4j-core', LOG4J2_VERSION),
          dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J2_VERSION),
        ]
      : [
          dep('ch.qos.reload4j', 'reload4j', RELOAD4J_VERSION),
          dep('org.slf4j', 'slf4j-reload4j', SLF4J1_VERSION),
        ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by tools/infra/infra.mjs: the runtime classpath of a single-node Kafka ${version} broker. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.tillgate.infra</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${dep('org.apache.kafka', 'kafka_2.13', version)}
${logging.join('\n')}
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>${DEPENDENCY_PLUGIN_VERSION}</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
`;
}

function libsComplete(k) {
  const marker = readJson(path.join(k.libs, '.complete.json'));
  if (!marker || marker.version !== k.version || !Array.isArray(marker.jars)) return false;
  return marker.jars.every((j) => fs.existsSync(path.join(k.libs, j)));
}

/** Ensures the Kafka jars are in the cache; a cache hit makes no Maven call. */
async function ensureKafkaLibs(cfg, log) {
  const k = cfg.kafka;
  if (libsComplete(k)) return { hit: true };
  return withLock(k.libsLock, `kafka ${k.version} jars`, log, async () => {
    if (libsComplete(k)) return { hit: true };
    const mvn = which('mvn', [], cfg.env);
    if (!mvn) throw new InfraError(MAVEN_HINT);
    fs.mkdirSync(k.home, { recursive: true });
    fs.writeFileSync(k.pom, kafkaPom(k.version));
    const tmp = `${k.libs}.tmp-${process.pid}`;
    for (const e of fs.readdirSync(k.home)) {
      const m = /^libs\.tmp-(\d+)$/.exec(e); // left by a fetch that was killed
      if (m && (Number(m[1]) === process.pid || !isAlive(Number(m[1])))) rmrf(path.join(k.home, e));
    }
    log(
      `kafka ${k.version}: fetching the broker jars with Maven into ${displayPath(k.libs)} (once; cached after)`,
    );
    const t0 = Date.now();
    const r = await run(
      mvn,
      [
        '-B',
        '-q',
        '-Dstyle.color=never',
        '-f',
        k.pom,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${tmp}`,
        '-DincludeScope=runtime',
        '-Dmdep.copyPom=false',
      ],
      { env: cfg.env, cwd: k.home, timeoutMs: 15 * 60_000 },
    );
    if (r.error || r.code !== 0) {
      rmrf(tmp);
      const out = `${r.stdout}\n${r.stderr}`
        .replace(/\x1b\[[0-9;]*m/g, '')
        .trim()
        .split('\n')
        .slice(-25)
        .join('\n');
      throw new InfraError(
        `Maven could not fetch org.apache.kafka:kafka_2.13:${k.version} (exit ${r.code ?? r.error?.message}). Is Maven Central reachable, and does that version exist?\n${out}`,
      );
    }
    const jars = fs.readdirSync(tmp).filter((f) => f.endsWith('.jar'));
    const needed = [`kafka_2.13-${k.version}.jar`, `kafka-clients-${k.version}.jar`];
    const missing = needed.filter((j) => !jars.includes(j));
    if (missing.length) {
      rmrf(tmp);
      throw new InfraError(
        `Maven finished but ${missing.join(', ')} is missing from the fetched jars`,
      );
    }
    fs.writeFileSync(
      path.join(tmp, '.complete.json'),
      JSON.stringify(
        { version: k.version, fetchedAt: new Date().toISOString(), jars: jars.sort() },
        null,
        2,
      ),
    );
    rmrf(k.libs);
    fs.renameSync(tmp, k.libs);
    log(`kafka ${k.version}: ${jars.length} jars fetched in ${secs(Date.now() - t0)}`);
    return { hit: false, ms: Date.now() - t0 };
  });
}

// ---------------------------------------------------------------------------
// Kafka broker

function kafkaClient(brokers) {
  const { Kafka, logLevel } = require('kafkajs');
  return new Kafka({
    clientId: 'tillgate-infra',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

/**
 * Proves the broker at `brokers` works: admin describeCluster (and, with
 * expectClusterId, that it is that cluster), and with write=true also
 * createTopics (probe topic) plus an idempotent acks=all produce. Rejects on
 * failure or after timeoutMs.
 */
export async function probeKafka(
  brokers,
  { write = true, timeoutMs = 15_000, expectClusterId } = {},
) {
  const { Partitioners } = require('kafkajs');
  const kafka = kafkaClient(brokers);
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const work = (async () => {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (expectClusterId && cluster.clusterId !== expectClusterId) {
      // Someone else's broker answers on this port: never write into it.
      const err = new Error(
        `${brokers.join(',')} is another Kafka cluster (${cluster.clusterId}, expected ${expectClusterId})`,
      );
      err.code = 'FOREIGN_CLUSTER';
      throw err;
    }
    if (write) {
      const topics = await admin.listTopics();
      if (!topics.includes(PROBE_TOPIC)) {
        await admin.createTopics({
          topics: [
            {
              topic: PROBE_TOPIC,
              numPartitions: 1,
              replicationFactor: 1,
              configEntries: [{ name: 'retention.ms', value: '3600000' }],
            },
          ],
          waitForLeaders: true,
        });
      }
      await producer.connect();
      await producer.send({
        topic: PROBE_TOPIC,
        acks: -1,
        messages: [
          {
            key: 'probe',
            value: JSON.stringify({ pid: process.pid, at: new Date().toISOString() }),
          },
        ],
      });
    }
    return { clusterId: cluster.clusterId, brokers: cluster.brokers.length };
  })();
  work.catch(() => {}); // settled below; never an unhandled rejection
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
}

function serverProperties(k, dataDir, port, controllerPort) {
  return `# Generated by tools/infra/infra.mjs for a throwaway single-node test broker.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${dataDir}
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
${k.major >= 4 ? 'share.coordinator.state.topic.replication.factor=1\nshare.coordinator.state.topic.min.isr=1\n' : ''}group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
# the log cleaner's dedupe buffer is 128 MiB of heap by default; a test broker needs little
log.cleaner.dedupe.buffer.size=16777216
log.retention.hours=24
`;
}

function logConfig(k) {
  if (k.major >= 4) {
    return `# log4j2 for the local broker: everything to stdout, which goes to kafka.log.
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = WARN
`;
  }
  return `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.common.config.AbstractConfig=WARN
`;
}

function jvmArgs(k, extra = []) {
  const logProp =
    k.major >= 4
      ? `-Dlog4j2.configurationFile=${k.logConfigFile}`
      : `-Dlog4j.configuration=file:${k.logConfigFile}`;
  return [
    ...k.heapOpts.split(/\s+/).filter(Boolean),
    '-XX:+UseSerialGC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    logProp,
    ...k.jvmOpts.split(/\s+/).filter(Boolean),
    ...extra,
    '-cp',
    path.join(k.libs, '*'),
  ];
}

/** A random KRaft cluster id: 16 bytes, base64url, never starting with '-'. */
function clusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function pickKafkaPorts(k) {
  let port;
  if (k.port) {
    if (!(await canListen(k.port))) {
      throw new InfraError(
        `TILLGATE_KAFKA_PORT=${k.port} is in use on 127.0.0.1: free it or pick another port`,
      );
    }
    port = k.port;
  } else {
    port = (await canListen(DEFAULT_KAFKA_PORT)) ? DEFAULT_KAFKA_PORT : await freePort();
  }
  let controllerPort =
    port + 1 <= 65535 && (await canListen(port + 1)) ? port + 1 : await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  return { port, controllerPort };
}

/** Removes every broker data dir under the run dir (call with no broker of ours running). */
function removeKafkaData(k) {
  let entries = [];
  try {
    entries = fs.readdirSync(k.run);
  } catch {
    return;
  }
  for (const e of entries) if (/^data(-[\w-]+)?$/.test(e)) rmrf(path.join(k.run, e));
}

function readKafkaState(k) {
  const st = readJson(k.stateFile);
  return st && Number.isInteger(st.pid) ? st : null;
}

/** Starts a fresh broker (fresh data dir), waits until a record is written. */
async function startKafka(cfg, java, log) {
  const k = cfg.kafka;
  const MAX_ATTEMPTS = 5;
  for (let attempt = 1; ; attempt++) {
    const { port, controllerPort } = await pickKafkaPorts(k);
    const id = clusterId();
    // A data dir per start: a format tool orphaned by a killed `up` can
    // never write into the directory of the broker started after it.
    removeKafkaData(k);
    const dataDir = path.join(k.run, `data-${id}`);
    const brokers = `127.0.0.1:${port}`;
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(k.configFile, serverProperties(k, dataDir, port, controllerPort));
    fs.writeFileSync(k.logConfigFile, logConfig(k));
    if (fs.existsSync(k.logFile)) fs.renameSync(k.logFile, `${k.logFile}.prev`);

    const t0 = Date.now();
    const fmt = await run(
      java.bin,
      [
        ...jvmArgs(k),
        'kafka.tools.StorageTool',
        'format',
        '--config',
        k.configFile,
        '--cluster-id',
        id,
      ],
      { env: cfg.env, timeoutMs: 120_000 },
    );
    fs.writeFileSync(
      k.logFile,
      `# kafka-storage format\n${fmt.stdout}${fmt.stderr}\n# kafka.Kafka\n`,
    );
    if (fmt.error || fmt.code !== 0) {
      throw new InfraError(
        `formatting the Kafka storage failed (exit ${fmt.code ?? fmt.error?.message}); log ${k.logFile}:\n${logExcerpt(k.logFile)}`,
      );
    }

    const out = fs.openSync(k.logFile, 'a');
    let child;
    try {
      child = spawn(
        java.bin,
        [...jvmArgs(k, ['-Dtillgate.infra=kafka']), 'kafka.Kafka', k.configFile],
        {
          cwd: k.run,
          env: cfg.env,
          detached: true, // own session and process group: survives us, killable as a group
          stdio: ['ignore', out, out],
        },
      );
    } finally {
      fs.closeSync(out);
    }
    let exited = null;
    child.on('exit', (code, signal) => (exited = { code, signal }));
    child.on('error', (error) => (exited = { code: null, signal: null, error }));
    child.unref();
    await sleep(50);
    if (!child.pid) {
      throw new InfraError(
        `could not start ${java.bin}: ${exited?.error?.message ?? 'unknown error'}`,
      );
    }
    const state = {
      service: 'kafka',
      version: k.version,
      pid: child.pid,
      starttime: procStat(child.pid)?.starttime ?? null,
      brokers,
      port,
      controllerPort,
      clusterId: id,
      dataDir,
      configFile: k.configFile,
      logFile: k.logFile,
      java: java.bin,
      startedAt: new Date().toISOString(),
    };
    writeJsonAtomic(k.stateFile, state); // before the wait: a killed `up` leaves a findable process
    log(
      `kafka ${k.version}: broker pid ${child.pid} starting on ${brokers} (controller ${controllerPort}), log ${k.logFile}`,
    );

    const deadline = t0 + k.startTimeoutMs;
    let lastError = 'no answer yet';
    for (;;) {
      if (exited || !isAlive(child.pid)) {
        const excerpt = logExcerpt(k.logFile);
        fs.rmSync(k.stateFile, { force: true });
        if (attempt < MAX_ATTEMPTS && /BindException|Address already in use/.test(excerpt)) {
          log(`kafka: port taken while starting (attempt ${attempt}); retrying on other ports`);
          break;
        }
        throw new InfraError(
          `the Kafka broker exited during startup (${exited?.code != null ? `exit ${exited.code}` : (exited?.signal ?? 'died')}); log ${k.logFile}:\n${excerpt}`,
        );
      }
      if (Date.now() > deadline) {
        await stopProcess(child.pid, { graceMs: 5000 });
        fs.rmSync(k.stateFile, { force: true });
        throw new InfraError(
          `the Kafka broker did not accept a record within ${secs(k.startTimeoutMs)} (last error: ${lastError}); it was stopped. Log ${k.logFile}:\n${logExcerpt(k.logFile)}`,
        );
      }
      if (await tcpAnswers('127.0.0.1', port)) {
        try {
          const left = Math.max(2000, Math.min(20_000, deadline - Date.now()));
          await probeKafka([brokers], { write: true, timeoutMs: left, expectClusterId: id });
          log(
            `kafka ${k.version}: ready on ${brokers} in ${secs(Date.now() - t0)} (a record was written)`,
          );
          return state;
        } catch (e) {
          lastError = e.message;
          if (e.code === 'FOREIGN_CLUSTER') {
            // Another broker grabbed the port between our check and our bind.
            await stopProcess(child.pid, { graceMs: 5000 });
            fs.rmSync(k.stateFile, { force: true });
            if (attempt >= MAX_ATTEMPTS)
              throw new InfraError(`could not get a free port for Kafka: ${e.message}`);
            log(`kafka: ${e.message}; retrying on other ports`);
            break;
          }
        }
      }
      await sleep(300);
    }
  }
}

/**
 * Checks the broker a state file points at (ours and alive). A broker still
 * inside its start window (an `up` was killed while waiting for it) is given
 * the rest of that window; a stopped process (SIGSTOP, Ctrl-Z) is not.
 * Resolves null when it works, else the reason it does not.
 */
async function awaitExistingBroker(k, st, log) {
  const until = (Date.parse(st.startedAt) || 0) + k.startTimeoutMs;
  let told = false;
  for (;;) {
    if (/^[tT]$/.test(procStat(st.pid)?.state ?? ''))
      return 'the process is stopped (SIGSTOP or Ctrl-Z)';
    try {
      await probeKafka([st.brokers], {
        write: true,
        timeoutMs: 15_000,
        expectClusterId: st.clusterId,
      });
      return null;
    } catch (e) {
      if (
        e.code === 'FOREIGN_CLUSTER' ||
        Date.now() >= until ||
        !isOurKafka(st.pid, st.configFile, st.starttime)
      ) {
        return e.message;
      }
      if (!told) {
        log(`kafka: broker pid ${st.pid} is still starting (${e.message}); waiting for it`);
        told = true;
      }
    }
    await sleep(500);
  }
}

/** Starts (or reuses) the local broker; returns { KAFKA_BROKERS }. */
export async function upKafka(opts = {}) {
  const cfg = opts.cfg ?? config(opts.env);
  const log = makeLogger(cfg, opts);
  const external = nonEmpty(cfg.env.KAFKA_BROKERS);
  if (external) {
    const brokers = external
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    try {
      await probeKafka(brokers, { write: false, timeoutMs: 30_000 });
    } catch (e) {
      throw new InfraError(`KAFKA_BROKERS=${external} does not answer: ${e.message}`);
    }
    log(`kafka: using KAFKA_BROKERS=${external} (no local broker started)`);
    return { KAFKA_BROKERS: brokers.join(',') };
  }
  const k = cfg.kafka;
  return withLock(k.lock, 'kafka', log, async () => {
    const st = readKafkaState(k);
    if (st) {
      if (st.configFile === k.configFile && isOurKafka(st.pid, st.configFile, st.starttime)) {
        const why = await awaitExistingBroker(k, st, log);
        if (!why) {
          log(`kafka: reusing broker pid ${st.pid} on ${st.brokers}`);
          return { KAFKA_BROKERS: st.brokers };
        }
        log(
          `kafka: broker pid ${st.pid} on ${st.brokers} does not answer (${why}); killing it and starting afresh`,
        );
        await stopProcess(st.pid, { graceMs: 3000 });
      } else if (isAlive(st.pid)) {
        log(
          `kafka: state file names pid ${st.pid}, which is not our broker (pid reused?); leaving that process alone`,
        );
      } else {
        log(`kafka: stale state (pid ${st.pid} is gone); cleaning up`);
      }
      fs.rmSync(k.stateFile, { force: true });
    }
    for (const pid of findOurKafkaPids(k.configFile)) {
      log(`kafka: stopping orphaned java pid ${pid} of ours (no state file points at it)`);
      await stopProcess(pid, { graceMs: 5000 });
    }
    const java = await findJava(cfg.env, k.major >= 4 ? 17 : 11);
    warnLowDisk(cfg, log);
    await ensureKafkaLibs(cfg, log);
    const state = await startKafka(cfg, java, log);
    return { KAFKA_BROKERS: state.brokers };
  });
}

function warnLowDisk(cfg, log) {
  try {
    fs.mkdirSync(cfg.stateDir, { recursive: true });
    const s = fs.statfsSync(cfg.stateDir);
    const free = s.bavail * s.bsize;
    if (free < 512 * 1024 * 1024) {
      log(
        `warning: only ${(free / 1024 / 1024).toFixed(0)} MiB free under ${cfg.stateDir}; Kafka needs a few hundred MiB`,
      );
    }
  } catch {
    /* statfs missing: no warning */
  }
}

/** Stops the broker this tool started (and only that); removes its state. */
export async function downKafka(opts = {}) {
  const cfg = opts.cfg ?? config(opts.env);
  const log = makeLogger(cfg, opts);
  const k = cfg.kafka;
  return withLock(k.lock, 'kafka', log, async () => {
    const st = readKafkaState(k);
    const pids = new Set(findOurKafkaPids(k.configFile));
    if (st && isOurKafka(st.pid, k.configFile, st.starttime)) pids.add(st.pid);
    else if (st && isAlive(st.pid))
      log(`kafka: pid ${st.pid} in the state file is not our broker; not touching it`);
    let stopped = 0;
    for (const pid of pids) {
      const t0 = Date.now();
      const ok = await stopProcess(pid);
      if (!ok) throw new InfraError(`could not stop the Kafka broker pid ${pid}`);
      log(`kafka: stopped broker pid ${pid} in ${secs(Date.now() - t0)}`);
      stopped++;
    }
    if (!stopped) log('kafka: no local broker running');
    fs.rmSync(k.stateFile, { force: true });
    removeKafkaData(k);
    return { stopped };
  });
}

// ---------------------------------------------------------------------------
// PostgreSQL

function pgClient(settings) {
  const { Client } = require('pg');
  return new Client({ ...settings, connectionTimeoutMillis: 5000, query_timeout: 15_000 });
}

function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

function isConnectionError(e) {
  return (
    [
      'ECONNREFUSED',
      'ENOTFOUND',
      'EHOSTUNREACH',
      'ETIMEDOUT',
      'ECONNRESET',
      'ENOENT',
      'EAI_AGAIN',
    ].includes(e?.code) ||
    /timeout|terminated unexpectedly|Connection terminated/i.test(e?.message ?? '')
  );
}

/** Connects as `user` to the maintenance db, creates `database` if absent. */
async function ensureDatabase({ host, port, user, password }, database) {
  let lastErr;
  for (const maint of ['postgres', 'template1']) {
    const c = pgClient({ host, port, user, password, database: maint });
    try {
      await c.connect();
    } catch (e) {
      lastErr = e;
      await c.end().catch(() => {});
      if (e.code === '3D000') continue; // no such maintenance database: try the next
      throw e;
    }
    try {
      const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (r.rowCount === 0) {
        try {
          await c.query(`CREATE DATABASE ${quoteIdent(database)}`);
        } catch (e) {
          if (e.code !== '42P04' && e.code !== '23505') throw e; // created meanwhile by someone else
        }
      }
      return;
    } finally {
      await c.end().catch(() => {});
    }
  }
  throw lastErr;
}

function pgUrl({ user, password, host, port, database }) {
  const auth = password
    ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}`
    : encodeURIComponent(user);
  return `postgres://${auth}@${host}:${port}/${encodeURIComponent(database)}`;
}

async function checkUrl(url) {
  const c = pgClient({ connectionString: url });
  try {
    await c.connect();
    await c.query('SELECT 1');
  } finally {
    await c.end().catch(() => {});
  }
}

/** initdb/pg_ctl: PATH first, then the newest /usr/lib/postgresql/<n>/bin. */
function findPgBin(env) {
  const inPath = which('initdb', [], env);
  if (inPath && which('pg_ctl', [path.dirname(inPath)], { PATH: '' })) return path.dirname(inPath);
  let versions = [];
  try {
    versions = fs
      .readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    /* none */
  }
  for (const v of versions) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')))
      return dir;
  }
  return null;
}

/** How to run PostgreSQL binaries: as ourselves, or as 'postgres' when root. */
async function pgRunner(cfg) {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return { as: null, wrap: (cmd, args) => [cmd, args] };
  const id = await run('id', ['-u', 'postgres'], { env: cfg.env, timeoutMs: 10_000 });
  const gid = await run('id', ['-g', 'postgres'], { env: cfg.env, timeoutMs: 10_000 });
  if (id.code !== 0) {
    throw new InfraError(
      'initdb refuses to run as root and there is no "postgres" system user to run it as: create one (useradd --system postgres) or set DATABASE_URL',
    );
  }
  const runuser = which('runuser', ['/usr/sbin', '/sbin'], cfg.env);
  const su = which('su', ['/bin', '/usr/bin'], cfg.env);
  if (!runuser && !su)
    throw new InfraError(
      'running as root, but neither runuser nor su is available to run initdb as "postgres"',
    );
  const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  return {
    as: 'postgres',
    uid: Number(id.stdout.trim()),
    gid: Number(gid.stdout.trim()),
    wrap: (cmd, args) =>
      runuser
        ? [runuser, ['-u', 'postgres', '--', cmd, ...args]]
        : [su, ['postgres', '-s', '/bin/sh', '-c', [cmd, ...args].map(shq).join(' ')]],
  };
}

function isOurPostgres(pid, dataDir) {
  if (!isAlive(pid)) return false;
  const argv = cmdline(pid);
  return /postgres$/.test(argv[0] ?? '') && argv.includes(dataDir);
}

async function startThrowawayPg(cfg, log, host, port) {
  const p = cfg.pg;
  const bin = findPgBin(cfg.env);
  if (!bin) {
    throw new InfraError(
      `No PostgreSQL answers on ${host}:${port} and initdb/pg_ctl were not found to start a throwaway one: start a server, install PostgreSQL (apt-get install postgresql), or set DATABASE_URL.`,
    );
  }
  const runner = await pgRunner(cfg);
  const exec = async (cmd, args, timeoutMs = 120_000) => {
    const [c, a] = runner.wrap(path.join(bin, cmd), args);
    return run(c, a, { env: { ...cfg.env, LC_ALL: 'C' }, cwd: '/', timeoutMs });
  };
  fs.mkdirSync(p.run, { recursive: true, mode: 0o755 });
  if (runner.as) {
    fs.chownSync(p.run, runner.uid, runner.gid);
    const [tc, ta] = runner.wrap('test', ['-w', p.run]);
    const probe = await run(tc, ta, { env: cfg.env, timeoutMs: 10_000 });
    if (probe.code !== 0) {
      throw new InfraError(
        `the "postgres" user cannot reach ${p.run} (a parent folder is not traversable: chmod o+x it), so no throwaway PostgreSQL can start there; set TILLGATE_INFRA_STATE_DIR elsewhere or DATABASE_URL`,
      );
    }
  }
  const t0 = Date.now();
  const marker = path.join(p.run, 'initdb.ok'); // written only after initdb succeeded
  let pgPort;
  for (let attempt = 1; ; attempt++) {
    if (fs.existsSync(path.join(p.dataDir, 'postmaster.pid'))) {
      // a server on our data dir whose `up` was killed before it wrote the state: stop it
      const running = await exec('pg_ctl', ['-D', p.dataDir, 'status'], 30_000);
      if (running.code === 0)
        await exec('pg_ctl', ['-D', p.dataDir, '-m', 'immediate', '-w', 'stop'], 60_000);
    }
    if (
      attempt > 1 ||
      !fs.existsSync(marker) ||
      !fs.existsSync(path.join(p.dataDir, 'PG_VERSION'))
    ) {
      rmrf(p.dataDir);
      fs.rmSync(marker, { force: true });
      log(
        `postgres: no server on ${host}:${port}; creating a throwaway cluster with ${bin}/initdb${runner.as ? ' (as user postgres)' : ''}`,
      );
      const r = await exec('initdb', [
        '-D',
        p.dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--no-locale',
        '--no-sync',
      ]);
      if (r.code !== 0)
        throw new InfraError(
          `initdb failed (exit ${r.code ?? r.error?.message}):\n${`${r.stdout}\n${r.stderr}`.trim()}`,
        );
      fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
    }
    pgPort = await freePort();
    // TCP on loopback only, no Unix socket (its path could exceed the 107-byte limit); durability off.
    const opts = `-p ${pgPort} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
    const r = await exec('pg_ctl', [
      '-D',
      p.dataDir,
      '-l',
      p.logFile,
      '-o',
      opts,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    if (r.code === 0) break;
    if (attempt >= 2) {
      throw new InfraError(
        `pg_ctl start failed (exit ${r.code ?? r.error?.message}); log ${p.logFile}:\n${tail(p.logFile, 20)}`,
      );
    }
    log(
      `postgres: pg_ctl start failed (${`${r.stdout} ${r.stderr}`.trim().split('\n').pop()}); re-creating the throwaway cluster`,
    );
  }
  const pid = Number(
    (fs.readFileSync(path.join(p.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '').trim(),
  );
  const url = pgUrl({ user: 'postgres', host: '127.0.0.1', port: pgPort, database: p.database });
  await ensureDatabase({ host: '127.0.0.1', port: pgPort, user: 'postgres' }, p.database);
  const state = {
    service: 'postgres',
    mode: 'throwaway',
    pid,
    port: pgPort,
    dataDir: p.dataDir,
    bin,
    runAs: runner.as,
    url,
    startedAt: new Date().toISOString(),
  };
  writeJsonAtomic(p.stateFile, state);
  log(
    `postgres: throwaway server pid ${pid} ready on 127.0.0.1:${pgPort} in ${secs(Date.now() - t0)}`,
  );
  return state;
}

/** Resolves DATABASE_URL (creating the test database); returns { DATABASE_URL }. */
export async function upPostgres(opts = {}) {
  const cfg = opts.cfg ?? config(opts.env);
  const log = makeLogger(cfg, opts);
  const external = nonEmpty(cfg.env.DATABASE_URL);
  if (external) {
    try {
      await checkUrl(external);
    } catch (e) {
      throw new InfraError(`DATABASE_URL does not answer: ${e.message}`);
    }
    log('postgres: using DATABASE_URL');
    return { DATABASE_URL: external };
  }
  const p = cfg.pg;
  return withLock(p.lock, 'postgres', log, async () => {
    const st = readJson(p.stateFile);
    if (st?.mode === 'throwaway') {
      if (isOurPostgres(st.pid, st.dataDir)) {
        try {
          await checkUrl(st.url);
          log(`postgres: reusing throwaway server pid ${st.pid} on 127.0.0.1:${st.port}`);
          return { DATABASE_URL: st.url };
        } catch (e) {
          log(
            `postgres: throwaway server pid ${st.pid} does not answer (${e.message}); restarting it`,
          );
          await stopThrowawayPg(cfg, st, log);
        }
      }
      fs.rmSync(p.stateFile, { force: true });
    }
    const pgHost = nonEmpty(cfg.env.PGHOST);
    const host = pgHost && !pgHost.startsWith('/') ? pgHost : '127.0.0.1';
    const port = nonEmpty(cfg.env.PGPORT) ? parsePort(cfg.env.PGPORT, 'PGPORT') : 5432;
    const users = nonEmpty(cfg.env.PGUSER) ? [nonEmpty(cfg.env.PGUSER)] : ['postgres', 'root'];
    const password = nonEmpty(cfg.env.PGPASSWORD);
    const refusals = [];
    for (const user of users) {
      try {
        await ensureDatabase({ host, port, user, password }, p.database);
        const url = pgUrl({ user, password, host, port, database: p.database });
        writeJsonAtomic(p.stateFile, {
          service: 'postgres',
          mode: 'server',
          url,
          user,
          host,
          port,
        });
        log(`postgres: using the server on ${host}:${port} as ${user}, database ${p.database}`);
        return { DATABASE_URL: url };
      } catch (e) {
        if (isConnectionError(e)) {
          if (findPgBin(cfg.env)) {
            const started = await startThrowawayPg(cfg, log, host, port);
            return { DATABASE_URL: started.url };
          }
          throw new InfraError(
            `No PostgreSQL answers on ${host}:${port} (${e.code ?? e.message}) and initdb/pg_ctl were not found: start a server, install PostgreSQL (apt-get install postgresql), or set DATABASE_URL.`,
          );
        }
        refusals.push(`${user}: ${e.message}`);
      }
    }
    throw new InfraError(
      `PostgreSQL on ${host}:${port} answers but refused ${refusals.join('; ')}. Set PGUSER (and PGPASSWORD) to a role that may create databases, or DATABASE_URL.`,
    );
  });
}

async function stopThrowawayPg(cfg, st, log) {
  const runner = await pgRunner(cfg);
  const [c, a] = runner.wrap(path.join(st.bin, 'pg_ctl'), [
    '-D',
    st.dataDir,
    '-m',
    'fast',
    '-w',
    '-t',
    '30',
    'stop',
  ]);
  const r = await run(c, a, { env: { ...cfg.env, LC_ALL: 'C' }, cwd: '/', timeoutMs: 60_000 });
  if (r.code !== 0 && isOurPostgres(st.pid, st.dataDir)) {
    await stopProcess(st.pid, { graceMs: 5000 });
  }
  log(`postgres: stopped throwaway server pid ${st.pid}`);
}

/** Stops the throwaway PostgreSQL this tool started, if any (never a system server). */
export async function downPostgres(opts = {}) {
  const cfg = opts.cfg ?? config(opts.env);
  const log = makeLogger(cfg, opts);
  const p = cfg.pg;
  return withLock(p.lock, 'postgres', log, async () => {
    const st = readJson(p.stateFile);
    let stopped = 0;
    if (st?.mode === 'throwaway') {
      if (isOurPostgres(st.pid, st.dataDir)) {
        await stopThrowawayPg(cfg, st, log);
        stopped++;
      }
      rmrf(p.dataDir);
      fs.rmSync(path.join(p.run, 'initdb.ok'), { force: true });
    } else if (!opts.quietIfNothing) {
      log('postgres: no throwaway server to stop');
    }
    fs.rmSync(p.stateFile, { force: true });
    return { stopped };
  });
}

// ---------------------------------------------------------------------------
// the public API

const ALL = ['kafka', 'postgres'];

function pickServices(services) {
  const list = services && services.length ? services : ALL;
  for (const s of list)
    if (!ALL.includes(s)) throw new InfraError(`unknown service "${s}" (known: ${ALL.join(', ')})`);
  return list;
}

/**
 * Brings up Kafka and PostgreSQL (or opts.services) and returns the env:
 * { KAFKA_BROKERS, DATABASE_URL }. Idempotent.
 */
export async function up(opts = {}) {
  const cfg = config(opts.env);
  const services = pickServices(opts.services);
  const out = {};
  if (services.includes('kafka')) Object.assign(out, await upKafka({ ...opts, cfg }));
  if (services.includes('postgres')) Object.assign(out, await upPostgres({ ...opts, cfg }));
  return out;
}

/** Stops what `up` started (the local broker, a throwaway PostgreSQL). */
export async function down(opts = {}) {
  const cfg = config(opts.env);
  const services = pickServices(opts.services);
  const out = {};
  if (services.includes('kafka')) out.kafka = await downKafka({ ...opts, cfg });
  if (services.includes('postgres')) out.postgres = await downPostgres({ ...opts, cfg });
  return out;
}

/** What is running, without starting anything. */
export async function status(opts = {}) {
  const cfg = config(opts.env);
  const k = cfg.kafka;
  const result = { cacheDir: cfg.cacheDir, stateDir: cfg.stateDir, kafka: {}, postgres: {} };
  const ext = nonEmpty(cfg.env.KAFKA_BROKERS);
  const st = readKafkaState(k);
  const kafkaLibs = libsComplete(k);
  if (st) {
    const ours = isOurKafka(st.pid, k.configFile, st.starttime);
    let answers = false;
    let error;
    if (ours) {
      try {
        await probeKafka([st.brokers], {
          write: false,
          timeoutMs: 5000,
          expectClusterId: st.clusterId,
        });
        answers = true;
      } catch (e) {
        error = e.message;
      }
    }
    result.kafka = {
      state: ours ? (answers ? 'running' : 'unresponsive') : 'stale',
      ...st,
      answers,
      error,
    };
  } else {
    result.kafka = { state: 'stopped' };
  }
  result.kafka.version = st?.version ?? k.version;
  result.kafka.jarsCached = kafkaLibs;
  if (ext) result.kafka.external = ext;
  const pst = readJson(cfg.pg.stateFile);
  if (nonEmpty(cfg.env.DATABASE_URL))
    result.postgres = { state: 'external', url: cfg.env.DATABASE_URL };
  else if (pst?.mode === 'throwaway')
    result.postgres = { ...pst, state: isOurPostgres(pst.pid, pst.dataDir) ? 'running' : 'stale' };
  else if (pst?.mode === 'server') result.postgres = { ...pst, state: 'server' };
  else result.postgres = { state: 'unknown (run up)' };
  return result;
}

/** The env of what is up now (no starting, no connecting); throws if something is not up. */
export function currentEnv(opts = {}) {
  const cfg = config(opts.env);
  const services = pickServices(opts.services);
  const out = {};
  const missing = [];
  if (services.includes('kafka')) {
    const st = readKafkaState(cfg.kafka);
    if (nonEmpty(cfg.env.KAFKA_BROKERS)) out.KAFKA_BROKERS = nonEmpty(cfg.env.KAFKA_BROKERS);
    else if (st && isOurKafka(st.pid, cfg.kafka.configFile, st.starttime))
      out.KAFKA_BROKERS = st.brokers;
    else missing.push('kafka');
  }
  if (services.includes('postgres')) {
    const pst = readJson(cfg.pg.stateFile);
    if (nonEmpty(cfg.env.DATABASE_URL)) out.DATABASE_URL = nonEmpty(cfg.env.DATABASE_URL);
    else if (pst?.mode === 'server') out.DATABASE_URL = pst.url;
    else if (pst?.mode === 'throwaway' && isOurPostgres(pst.pid, pst.dataDir))
      out.DATABASE_URL = pst.url;
    else missing.push('postgres');
  }
  if (missing.length) {
    throw new InfraError(
      `${missing.join(' and ')} not up: run \`node tools/infra/infra.mjs up\` first`,
    );
  }
  return out;
}

/** Shell-sourceable lines. */
export function formatEnv(envObj, { exportPrefix = false } = {}) {
  const q = (v) => (/^[\w@%+=:,./-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  return Object.entries(envObj)
    .map(([k, v]) => `${exportPrefix ? 'export ' : ''}${k}=${q(String(v))}`)
    .join('\n');
}

// ---------------------------------------------------------------------------
// CLI

const USAGE = `usage: node tools/infra/infra.mjs <command> [kafka] [postgres] [options]
  up      start (or reuse) the local Kafka broker and resolve PostgreSQL; prints the env
  down    stop what up started (only our broker / throwaway PostgreSQL)
  status  show what is running
  env     print KAFKA_BROKERS=... and DATABASE_URL=... for what is up (nothing is started)
options: --json  machine-readable output   --export  prefix env lines with "export"   --quiet  no progress lines`;

async function main(argv) {
  const [cmd, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const services = rest.filter((a) => !a.startsWith('--'));
  const quiet = flags.has('--quiet') ? true : undefined;
  switch (cmd) {
    case 'up': {
      const t0 = Date.now();
      const env = await up({ services, quiet });
      makeLogger(config(), { quiet })(`up done in ${secs(Date.now() - t0)}`);
      process.stdout.write(
        flags.has('--json')
          ? JSON.stringify(env) + '\n'
          : formatEnv(env, { exportPrefix: flags.has('--export') }) + '\n',
      );
      return 0;
    }
    case 'down': {
      const r = await down({ services, quiet });
      if (flags.has('--json')) process.stdout.write(JSON.stringify(r) + '\n');
      return 0;
    }
    case 'status': {
      const s = await status();
      if (flags.has('--json')) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else {
        const k = s.kafka;
        const p = s.postgres;
        process.stdout.write(
          [
            `kafka:    ${k.state}${k.pid ? ` pid ${k.pid}` : ''}${k.brokers ? ` on ${k.brokers}` : ''} (Kafka ${k.version}, jars ${k.jarsCached ? 'cached' : 'not cached'})${k.external ? `; KAFKA_BROKERS=${k.external} is set` : ''}${k.error ? `; ${k.error}` : ''}`,
            `postgres: ${p.state}${p.url ? ` ${p.url}` : ''}${p.pid ? ` pid ${p.pid}` : ''}`,
            `cache:    ${s.cacheDir}`,
            `state:    ${s.stateDir}`,
          ].join('\n') + '\n',
        );
      }
      return 0;
    }
    case 'env': {
      const env = currentEnv({ services });
      process.stdout.write(
        flags.has('--json')
          ? JSON.stringify(env) + '\n'
          : formatEnv(env, { exportPrefix: flags.has('--export') }) + '\n',
      );
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return cmd ? 0 : 2;
    default:
      process.stderr.write(`unknown command "${cmd}"\n${USAGE}\n`);
      return 2;
  }
}

function isMain() {
  try {
    return (
      !!process.argv[1] &&
      fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`infra: ${e instanceof InfraError ? e.message : (e?.stack ?? e)}\n`);
      process.exit(1);
    },
  );
}
