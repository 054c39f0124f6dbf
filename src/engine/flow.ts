/** The flow protocol (flows/protocol.ts) and the conversation machine, as the engine uses them. */
export {
  BUSY_TAG,
  type ActorInputs,
  type ActorOutputs,
  type ConversationInput,
  type FlowContact,
  type FlowEmitted,
  type FlowEvent,
  type FlowFacility,
  type FlowKnowledge,
  type FlowPerson,
  type BookingSubject,
  type ListedAppointment,
  type MessageDescriptor,
  parseSurveyChoice,
  SURVEY_CLOSED,
} from '../../flows/protocol.js';
export { conversationMachine } from '../../flows/conversation.js';
