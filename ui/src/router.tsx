import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useAuth } from '@/auth';
import { LoginPage } from '@/pages/LoginPage';
import { PageSpinner } from '@/components/PageSpinner';

// The login page is in the first bundle; everything behind the login is
// loaded on demand (its own chunks), so the first load stays small.
const AppLayout = lazy(() => import('@/layout/AppLayout'));
const ProjectsPage = lazy(() => import('@/pages/ProjectsPage'));
const ProjectDashboardPage = lazy(() => import('@/pages/ProjectDashboardPage'));
const ProjectLayout = lazy(() => import('@/layout/ProjectLayout'));
const CodePage = lazy(() => import('@/pages/code/CodePage'));
const RunPage = lazy(() => import('@/pages/run/RunPage'));
const NotFoundPage = lazy(() => import('@/pages/NotFoundPage'));
const ModelsPage = lazy(() => import('@/pages/data/ModelsPage'));
const ModelBuilderPage = lazy(() => import('@/pages/data/ModelBuilderPage'));
const RecordsPage = lazy(() => import('@/pages/data/RecordsPage'));
const GoalsPage = lazy(() => import('@/pages/goals/GoalsPage'));
const EnvPage = lazy(() => import('@/pages/admin/EnvPage'));
const FilesPage = lazy(() => import('@/pages/admin/files/FilesPage'));
const ProjectSettingsPage = lazy(() => import('@/pages/admin/SettingsPage'));
const ProfilePage = lazy(() => import('@/pages/admin/ProfilePage'));
const UsersPage = lazy(() => import('@/pages/admin/UsersPage'));

function RequireAuth({ children }: { children: ReactNode }) {
  const { session } = useAuth();
  const location = useLocation();
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return children;
}

export function AppRouter() {
  return (
    <BrowserRouter>
      <Suspense fallback={<PageSpinner />}>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route
            element={
              <RequireAuth>
                <AppLayout />
              </RequireAuth>
            }
          >
            <Route index element={<Navigate to="/projects" replace />} />
            <Route path="projects" element={<ProjectsPage />} />
            <Route path="projects/:id" element={<ProjectLayout />}>
              <Route index element={<ProjectDashboardPage />} />
              <Route path="code" element={<CodePage />} />
              <Route path="run" element={<RunPage />} />
              <Route path="data" element={<ModelsPage />} />
              <Route path="data/new" element={<ModelBuilderPage />} />
              <Route path="data/:model" element={<RecordsPage />} />
              <Route path="data/:model/schema" element={<ModelBuilderPage />} />
              <Route path="goals" element={<GoalsPage key="project" />} />
              <Route path="env" element={<EnvPage />} />
              <Route path="files" element={<FilesPage />} />
              <Route path="settings" element={<ProjectSettingsPage />} />
            </Route>
            <Route path="goals" element={<GoalsPage key="global" />} />
            <Route path="profile" element={<ProfilePage />} />
            <Route path="users" element={<UsersPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
