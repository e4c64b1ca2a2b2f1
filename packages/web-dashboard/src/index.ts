export { dashboardFiles, dashboardStaticFiles, type DashboardFile } from "./static-files.js";
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./security-headers.js";
