package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

type contactRow struct {
	ID        int64 `gorm:"primaryKey"`
	ClientID  int64
	Name      string
	Title     string
	Phone     string
	Roles     string // comma-separated decision roles
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (contactRow) TableName() string { return "contacts" }

func (r *contactRow) model() models.Contact {
	c := models.Contact{ID: r.ID, ClientID: r.ClientID, Name: r.Name, Title: r.Title, Phone: r.Phone}
	for _, s := range strings.Split(r.Roles, ",") {
		if s != "" {
			c.Roles = append(c.Roles, models.DecisionRole(s))
		}
	}
	return c
}

// rolesString stores known roles in the catalogue's order.
func rolesString(roles []models.DecisionRole) string {
	rs := models.AddRoles(nil, roles...)
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// Contacts lists a client's contacts by name (index on client_id), when
// viewer may see the client; none otherwise.
func (db *DB) Contacts(ctx context.Context, viewer *models.User, clientID int64) ([]models.Contact, error) {
	var rows []contactRow
	if err := contactsQuery(db.conn(ctx), viewer, clientID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list contacts of client %d: %w", clientID, err)
	}
	out := make([]models.Contact, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// contactsQuery is a client's contacts by name, joined to the client so
// the one visibility rule applies.
func contactsQuery(tx *gorm.DB, viewer *models.User, clientID int64) *gorm.DB {
	cond, args := clientScope(viewer, "clients")
	return tx.Table("contacts").Select("contacts.*").
		Joins("JOIN clients ON clients.id = contacts.client_id").
		Where("contacts.client_id = ?", clientID).Where(cond, args...).
		Order("contacts.name, contacts.id")
}

// SaveContact adds a contact to a client, or, for a name the client has
// already, adds the roles to that contact (and a title or phone it lacked).
func (db *DB) SaveContact(ctx context.Context, c *models.Contact) error {
	return db.tx(ctx, func(tx *gorm.DB) error { return saveContact(tx, c) })
}

// saveContact is SaveContact inside a transaction; c.ID set means that
// contact (which must belong to c.ClientID).
func saveContact(tx *gorm.DB, c *models.Contact) error {
	if c.ID == 0 || c.Name != "" {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	var existing contactRow
	q := tx.Where("client_id = ?", c.ClientID)
	if c.ID != 0 {
		q = q.Where("id = ?", c.ID)
	} else {
		// Names match folded, as client names do ("wang" is "Wang").
		var rows []contactRow
		if err := tx.Where("client_id = ?", c.ClientID).Find(&rows).Error; err != nil {
			return fmt.Errorf("find contacts of client %d: %w", c.ClientID, err)
		}
		for _, r := range rows {
			if models.Fold(r.Name) == models.Fold(c.Name) {
				q = tx.Where("id = ?", r.ID)
				c.ID = r.ID
			}
		}
	}
	if c.ID == 0 {
		row := contactRow{ClientID: c.ClientID, Name: c.Name, Title: c.Title, Phone: c.Phone, Roles: rolesString(c.Roles)}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("add contact %q to client %d: %w", c.Name, c.ClientID, err)
		}
		*c = row.model()
		return nil
	}
	if err := q.Take(&existing).Error; err != nil {
		return fmt.Errorf("get contact %d of client %d: %w", c.ID, c.ClientID, translate(err, "err_contact_gone", ""))
	}
	merged := existing.model()
	merged.Roles = models.AddRoles(merged.Roles, c.Roles...)
	if merged.Title == "" {
		merged.Title = c.Title
	}
	if merged.Phone == "" {
		merged.Phone = c.Phone
	}
	err := tx.Model(&contactRow{}).Where("id = ?", existing.ID).Updates(map[string]any{
		"roles": rolesString(merged.Roles), "title": merged.Title, "phone": merged.Phone, "updated_at": tx.NowFunc(),
	}).Error
	if err != nil {
		return fmt.Errorf("update contact %d: %w", existing.ID, err)
	}
	*c = merged
	return nil
}

func contactsByID(tx *gorm.DB, ids []int64) ([]models.Contact, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []contactRow
	if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load contacts %v: %w", ids, err)
	}
	byID := map[int64]models.Contact{}
	for i := range rows {
		byID[rows[i].ID] = rows[i].model()
	}
	var out []models.Contact
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}
