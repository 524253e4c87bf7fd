// The pages of a mentor (a mentee's page is also opened by the program's admins), loaded together
// as one chunk (src/App.tsx).
export { MenteePage } from "../pages/MenteePage";
export { MentorDashboard } from "../pages/MentorDashboard";
export { Proposals } from "../pages/Proposals";
