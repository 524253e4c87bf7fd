// The pages every signed-in person has (the inbox, preferences), loaded together as one chunk
// (src/App.tsx).
export { Inbox } from "../pages/Inbox";
export { Preferences } from "../pages/Preferences";
