/**
 * Renderer entry, kept small: it starts the requests that restoring the reader's place needs
 * (session/early.ts), then loads the app proper (start.tsx: Cornerstone, vtk.js, the screens),
 * so the answers arrive while that script is fetched and evaluated instead of after it.
 */
import { startEarlyCalls } from './session/early.js';
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
startEarlyCalls();
void import('./start.js').then(({ startApp }) => startApp(root));
