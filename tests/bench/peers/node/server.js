// The peer the bar is set by: Node's socket.io (websocket transport only, no
// compression) with its Redis adapter when --redis-url is given, so several processes
// share the rooms. Same contract as tests/bench/peers/socketio_app.py: a client names
// its room in the CONNECT packet (auth = {room}); every "op" event goes to the room,
// the sender included.
"use strict";

const http = require("node:http");
const { Server } = require("socket.io");

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

async function main() {
  const port = Number(option("port", "0"));
  const redisUrl = option("redis-url", "");
  const server = http.createServer();
  const io = new Server(server, {
    transports: ["websocket"],
    perMessageDeflate: false,
    maxHttpBufferSize: 65536,
    cors: { origin: "*" },
  });
  if (redisUrl) {
    const { createClient } = require("redis");
    const { createAdapter } = require("@socket.io/redis-adapter");
    const pub = createClient({ url: redisUrl });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub, { key: "bench-socketio-node" }));
  }
  io.use((socket, next) => {
    const room = socket.handshake.auth && socket.handshake.auth.room;
    if (!room) return next(new Error("room required"));
    socket.data.room = String(room);
    next();
  });
  io.on("connection", (socket) => {
    socket.join(socket.data.room);
    socket.on("op", (data) => io.to(socket.data.room).emit("op", data));
  });
  server.listen(port, "127.0.0.1");
  const stop = () => io.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
