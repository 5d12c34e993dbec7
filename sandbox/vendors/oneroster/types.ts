/**
 * The OneRoster 1.2 objects the sandbox serves, with the fields it fills. Rostering: orgs,
 * academicSessions, courses, classes, users, enrollments, demographics. Gradebook: categories,
 * lineItems, results. Every object has `sourcedId`, `status` and `dateLastModified`.
 */

export type Status = 'active' | 'tobedeleted';

export interface GuidRef {
  href: string;
  sourcedId: string;
  type: string;
}

export interface Base {
  sourcedId: string;
  status: Status;
  /** ISO 8601 instant in UTC with milliseconds. */
  dateLastModified: string;
  metadata?: Record<string, unknown>;
}

export interface Org extends Base {
  name: string;
  type: 'district' | 'school' | 'department' | 'local' | 'state' | 'national';
  identifier?: string;
  parent?: GuidRef;
  children?: GuidRef[];
}

export interface AcademicSession extends Base {
  title: string;
  startDate: string;
  endDate: string;
  type: 'schoolYear' | 'semester' | 'term' | 'gradingPeriod';
  parent?: GuidRef;
  children?: GuidRef[];
  /** The year the school year ends in: "2026" for 2025–2026. */
  schoolYear: string;
  org?: GuidRef;
}

export interface Course extends Base {
  title: string;
  schoolYear?: GuidRef;
  courseCode?: string;
  grades?: string[];
  subjects?: string[];
  org: GuidRef;
  subjectCodes?: string[];
}

export interface Class extends Base {
  title: string;
  classCode?: string;
  classType: 'homeroom' | 'scheduled';
  location?: string;
  grades?: string[];
  subjects?: string[];
  course: GuidRef;
  school: GuidRef;
  terms: GuidRef[];
  subjectCodes?: string[];
}

export interface Role {
  roleType: 'primary' | 'secondary';
  role: 'administrator' | 'aide' | 'guardian' | 'parent' | 'proctor' | 'relative' | 'student' | 'teacher';
  org: GuidRef;
  beginDate?: string;
  endDate?: string;
}

export interface UserId {
  type: string;
  identifier: string;
}

export interface User extends Base {
  userMasterIdentifier?: string;
  username: string;
  userIds: UserId[];
  enabledUser: boolean;
  givenName: string;
  familyName: string;
  middleName?: string;
  roles: Role[];
  agents: GuidRef[];
  primaryOrg?: GuidRef;
  identifier?: string;
  email?: string;
  sms?: string;
  phone?: string;
  grades?: string[];
}

export interface Enrollment extends Base {
  user: GuidRef;
  class: GuidRef;
  school: GuidRef;
  role: 'administrator' | 'proctor' | 'student' | 'teacher';
  primary?: boolean;
  beginDate?: string;
  endDate?: string;
}

export interface Demographics extends Base {
  birthDate?: string;
  sex?: 'male' | 'female' | 'other' | 'unspecified';
}

export interface Category extends Base {
  title: string;
  weight?: number;
}

export interface LineItem extends Base {
  title: string;
  description?: string;
  assignDate: string;
  dueDate: string;
  class: GuidRef;
  school: GuidRef;
  category: GuidRef;
  academicSession: GuidRef;
  resultValueMin?: number;
  resultValueMax?: number;
}

export interface Result extends Base {
  lineItem: GuidRef;
  student: GuidRef;
  class: GuidRef;
  scoreStatus: 'exempt' | 'fully graded' | 'not submitted' | 'partially graded' | 'submitted';
  score?: number;
  textScore?: string;
  scoreDate: string;
  comment?: string;
}

/** Everything the provider serves, one array per collection, in a stable order. */
export interface OneRosterData {
  orgs: Org[];
  academicSessions: AcademicSession[];
  courses: Course[];
  classes: Class[];
  users: User[];
  enrollments: Enrollment[];
  demographics: Demographics[];
  categories: Category[];
  lineItems: LineItem[];
  results: Result[];
}

export type CollectionName = keyof OneRosterData;
