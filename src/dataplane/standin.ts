// The processes that stand in for workloads: the GlassFish container (HTTP 8080, admin 4848, an SSH
// banner on 22) and the outside tester's echo server. Both report the client address they saw, which
// is what makes DNAT and SNAT visible in one request. On a host (the netns backend, the outside of a
// VM lab): Python 3 standard library only. Inside the tiny test VMs: busybox httpd + nc (vm.ts).
export const PYTHON = '/usr/bin/python3';
export const READY_DIR = '/run/stacklab';

export interface Standin {
  role: 'instance' | 'outside';
  name: string;
  ports: number[];
  /** address to listen on (default: every address of the namespace) */
  bind?: string;
}

/** The host form: python3 running STANDIN_PY. */
export function standinArgv(s: Standin): string[] {
  return [PYTHON, '-c', STANDIN_PY, s.role, s.name, s.ports.join(','), ...(s.bind ? [s.bind] : [])];
}

export const STANDIN_PY = String.raw`
import socket, sys, threading, http.server, socketserver, os
role, name = sys.argv[1], sys.argv[2]
ports = [int(p) for p in sys.argv[3].split(',')]
bind = sys.argv[4] if len(sys.argv) > 4 else '0.0.0.0'
ready_dir = os.environ.get('STACKLAB_READY_DIR', '${READY_DIR}')
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        port = self.server.server_address[1]
        if role == 'outside':
            body = 'outside echo %s client=%s:%d\n' % (name, self.client_address[0], self.client_address[1])
        elif port == 4848:
            body = 'GlassFish stand-in %s admin console (4848) client=%s:%d\n' % (name, self.client_address[0], self.client_address[1])
        else:
            body = '<html><title>GlassFish stand-in</title><body>GlassFish Server 4.1 stand-in on instance %s port %d client=%s:%d</body></html>\n' % (name, port, self.client_address[0], self.client_address[1])
        data = body.encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
def banner(s):
    while True:
        c, _ = s.accept()
        try: c.sendall(b'SSH-2.0-stacklab-standin ' + name.encode() + b'\r\n')
        finally: c.close()
servers = [S((bind, p), H) for p in ports if p != 22]
threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
if 22 in ports:
    b = socket.socket(); b.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    b.bind((bind, 22)); b.listen(16)
    threads.append(threading.Thread(target=banner, args=(b,), daemon=True))
for t in threads: t.start()
os.makedirs(ready_dir, exist_ok=True)
open('%s/%s.ready' % (ready_dir, name), 'w').close()
threading.Event().wait()
`.trim();
