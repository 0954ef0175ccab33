// The live fan-out bench's subscriber fleet and poster (run by bench/fanout.py).
//
// Reads its task as JSON on standard input: {ws_url, base_url, channel, topic_id,
// subscribers, messages, tokens}. Opens `subscribers` websockets (in waves of 100, as a
// crowd arrives), subscribes each to `channel`, then posts `messages` replies through the
// JSON API, one a second, each by the next token's owner. Every socket notes when each
// reply's `post.created` arrives, before anything else is done with the frame. Prints one
// JSON object: the delays in milliseconds from just before each POST to each delivery,
// how many deliveries are missing, and the fleet's own CPU time.
//
// Node's WebSocket (undici) used about half the CPU of a Python client (websockets) for the
// same deliveries (0.7-0.8 s against 1.1-1.5 s for 20,000): on a 2-core machine the fleet
// shares the cores with the server it measures.

const task = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => { text += chunk; });
  process.stdin.on("end", () => resolve(text));
}));

const now = () => Number(process.hrtime.bigint()) / 1e6; // milliseconds, monotonic
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const arrivals = new Map(); // post id -> arrival times
const sockets = [];
let ready = 0;
let failed = null;

function subscriber() {
  return new Promise((resolve) => {
    const socket = new WebSocket(task.ws_url);
    sockets.push(socket);
    socket.onopen = () => socket.send(JSON.stringify({ subscribe: task.channel }));
    socket.onerror = () => { failed = failed || "a websocket failed"; resolve(); };
    socket.onmessage = (event) => {
      const arrived = now();
      const message = JSON.parse(event.data);
      if (message.subscribed === task.channel) {
        ready += 1;
        resolve();
      } else if (message.type === "post.created") {
        if (!arrivals.has(message.id)) arrivals.set(message.id, []);
        arrivals.get(message.id).push(arrived);
      }
    };
  });
}

async function run() {
  const subscribed = [];
  for (let n = 0; n < task.subscribers; n += 1) {
    subscribed.push(subscriber());
    if ((n + 1) % 100 === 0) await sleep(200);
  }
  await Promise.race([Promise.all(subscribed), sleep(120_000)]);
  if (ready !== task.subscribers) return { error: failed || `only ${ready} of ${task.subscribers} subscribed` };
  const cpuBefore = process.cpuUsage(); // the messages' cost, not the connections'
  const delays = [];
  let missing = 0;
  for (let n = 0; n < task.messages; n += 1) {
    const sent = now();
    const reply = await fetch(`${task.base_url}/api/v1/forum/topics/${task.topic_id}/posts`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${task.tokens[n % task.tokens.length]}` },
      body: JSON.stringify({ body: `Réponse en direct numéro ${n}.` }),
    });
    if (reply.status !== 201) return { error: `the reply was refused: ${reply.status} ${(await reply.text()).slice(0, 200)}` };
    const { id } = await reply.json();
    await sleep(1000);
    const got = arrivals.get(id) || [];
    missing += task.subscribers - got.length;
    for (const arrived of got) delays.push(arrived - sent);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { delays_ms: delays, missing, cpu_seconds: (cpu.user + cpu.system) / 1e6 };
}

const report = await run();
for (const socket of sockets) socket.close();
// a pipe takes 64 KiB at once: exit once everything is written
process.stdout.write(JSON.stringify(report) + "\n", () => process.exit("error" in report ? 1 : 0));
