// The edits of a topology file every caller shares (the explorer's actions, the language server's quick
// fixes), made the way a careful person would: the yaml Document says where things are, and only the
// lines that must change are written — comments and layout stay. Each edit is one TextSplice of the
// text (…Edit functions, from a text and any exact parse of it), or the new text (text in, text out).
// writer.ts writes a whole spec as a new text (import of a live host).
export {
  addContainer, addContainerEdit, connectContainer, connectContainerEdit, disconnectContainer, disconnectContainerEdit, referencesToContainer,
  removeContainer, removeContainerEdit, type ConnectHow, type EndpointOptions, type NewContainer,
} from './containers';
export { addNetwork, addNetworkEdit, containersOnNetwork, removeNetwork, removeNetworkEdit, type NewNetwork } from './networks';
export { addService, addServiceEdit, type NewService } from './services';
export { applySplice, editTarget, YamlEditError, type EditTarget, type TextSplice } from './splice';
export { writeTopology, type WriteTopologyOptions } from './writer';
