/**
 * Renderer entry, kept small. Two chunks are asked for at once: the requests that restoring the
 * reader's place needs (session/early.ts, with the contract: small, so it runs first and starts
 * them) and the app proper (start.tsx: Cornerstone, vtk.js, the screens, ~4.5 MB), which is
 * fetched and compiled meanwhile. The answers are there when restoring asks for them instead of
 * being requested only after all that script has run.
 */
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const app = import('./start.js');
void import('./session/early.js')
  .then(({ startEarlyCalls }) => startEarlyCalls())
  .catch(() => undefined)
  .then(() => app)
  .then(({ startApp }) => startApp(root));
