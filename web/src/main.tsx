// Entry point: one API client and session for the tab, then the router.
import '@xyflow/react/dist/style.css';
import './styles/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createHttpClient } from './api/client.js';
import { createApi } from './api/endpoints.js';
import { createSessionStore } from './api/session.js';
import { App } from './app/App.js';
import { ServicesProvider } from './app/api-context.js';

const session = createSessionStore(window.sessionStorage);
const api = createApi(createHttpClient({ fetch: window.fetch.bind(window), session }), session);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ServicesProvider services={{ api, session }}>
      <App />
    </ServicesProvider>
  </StrictMode>,
);
