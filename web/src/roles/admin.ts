// The pages only a program's admins open, loaded together as one chunk (src/App.tsx).
export { ProgramPage } from "../pages/ProgramPage";
export { Programs } from "../pages/Programs";
