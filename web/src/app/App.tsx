// The routes: sign-in outside the shell, everything else inside it and only when signed in.
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation } from 'react-router-dom';
import { SignInPage } from '../auth/SignInPage.js';
import { EmailTemplateEditorPage } from '../email-templates/EmailTemplateEditorPage.js';
import { EmailTemplatesPage } from '../email-templates/EmailTemplatesPage.js';
import { RecordPage } from '../records/RecordPage.js';
import { RecordsPage } from '../records/RecordsPage.js';
import { SequencePage } from '../sequences/SequencePage.js';
import { SequencesPage } from '../sequences/SequencesPage.js';
import { SettingsPage } from '../settings/SettingsPage.js';
import { MyWorkPage } from '../work/MyWorkPage.js';
import { AppShell } from './AppShell.js';
import { useSession } from './api-context.js';
import { NotFoundPage } from './NotFoundPage.js';

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route element={<RequireSession />}>
          <Route element={<AppShell />}>
            <Route index element={<Navigate to="/sequences" replace />} />
            <Route path="sequences" element={<SequencesPage />} />
            <Route path="sequences/:id/*" element={<SequencePage />} />
            <Route path="records/:type" element={<RecordsPage />} />
            <Route path="records/:type/:id" element={<RecordPage />} />
            <Route path="my-work" element={<MyWorkPage />} />
            <Route path="email-templates" element={<EmailTemplatesPage />} />
            <Route path="email-templates/:id" element={<EmailTemplateEditorPage />} />
            <Route path="settings" element={<SettingsPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Route>
      </Routes>
    </BrowserRouter>
  );
}

function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session === null) {
    const from = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in${from === '/' ? '' : `?next=${encodeURIComponent(from)}`}`} replace />;
  }
  return <Outlet />;
}
