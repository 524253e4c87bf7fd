// The pages of a mentee, loaded together as one chunk (src/App.tsx).
export { MenteeHome } from "../pages/MenteeHome";
export { Suggestions } from "../pages/Suggestions";
